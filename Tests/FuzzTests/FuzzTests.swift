// Every parser of outside data on its real seed files and a few thousand seeded mutants (a short
// run of what Scripts/fuzz.sh runs for minutes): none may crash, hang or allocate without bound.

import Foundation
import FuzzTargets
import Testing
import TestSupport

@Suite struct FuzzTests {
    static let targets = FuzzTargets.all(root: TestPaths.root)

    @Test(arguments: targets.map(\.name))
    func mutantsOfRealFilesNeverCrash(_ name: String) throws {
        let target = try #require(Self.targets.first { $0.name == name })
        #expect(!target.seeds.isEmpty, "\(name) has no seed files")
        // The seeds are valid files: the parser reads every one (server-json: each for its endpoint).
        var rejected: [String] = []
        for seed in target.seeds {
            do { try target.body(seed) } catch { rejected.append("\(error)".prefix(300) + "") }
        }
        #expect(rejected.isEmpty, "\(name): seeds refused: \(rejected)")
        let fuzzed = FuzzSession.run(target, executions: 1000, seconds: 5, seed: 2024)
        #expect(fuzzed.executions > target.seeds.count)
        #expect(fuzzed.slowest < 2, "an input took \(fuzzed.slowest) s")
        print(fuzzed)
    }
}
