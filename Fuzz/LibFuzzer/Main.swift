// mirror-bert-fuzz: one binary for every fuzz target, chosen by FUZZ_TARGET (TargetSelection).
// Built by Scripts/fuzz.sh with -D LIBFUZZER and -sanitize=fuzzer,address, it is libFuzzer
// (LibFuzzerEntry); in the ordinary build it replays inputs without sanitizers (Replay).

@main
struct FuzzMain {
    static func main() {
        let target = TargetSelection.fromEnvironment()
        #if LIBFUZZER
        LibFuzzerEntry.run(target)
        #else
        Replay.run(target)
        #endif
    }
}
