// Opt-in: random strings recorded with `record_tokenizer_fixtures.py --stress N` (not committed):
//   TOKENIZERS_STRESS=/tmp/tokenizer_stress.json [TOKENIZERS_STRESS_MODEL=folder] swift test --filter StressParity
// The vocab.txt (or vocab.json + merges.txt) fallback is checked too when the folder has it.

import Foundation
import Testing
import TestSupport
import Tokenizers

private let environment = ProcessInfo.processInfo.environment
private let stressPath = environment["TOKENIZERS_STRESS"] ?? ""
private let stressModel = environment["TOKENIZERS_STRESS_MODEL"].map { URL(fileURLWithPath: $0) } ?? TestPaths.miniLM

@Suite(.enabled(if: !stressPath.isEmpty && TestPaths.exists(stressModel), "set TOKENIZERS_STRESS to a stress file"))
struct StressParity {
    @Test func randomStrings() throws {
        let file = try JSONDecoder().decode(MiniLMParityFile.self, from: Data(contentsOf: URL(fileURLWithPath: stressPath)))
        let dir = try temporaryCopy(of: stressModel, files: ["tokenizer.json"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = runParity(try TokenizerLoader.load(from: dir), file.cases)
        print("stress: tokenizer.json \(json.equal)/\(json.compared)")
        #expect(json.failures.isEmpty, "\(json.failures.prefix(10).joined(separator: "\n"))")
        let fallbackFiles: [String]
        if TestPaths.exists(stressModel.appendingPathComponent("vocab.txt")) {
            fallbackFiles = ["vocab.txt"]
        } else if TestPaths.exists(stressModel.appendingPathComponent("vocab.json")) {
            fallbackFiles = ["vocab.json", "merges.txt"]
        } else {
            return
        }
        let sideFiles = ["tokenizer_config.json", "special_tokens_map.json"].filter {
            TestPaths.exists(stressModel.appendingPathComponent($0))
        }
        let vocabDir = try temporaryCopy(of: stressModel, files: fallbackFiles + sideFiles)
        defer { try? FileManager.default.removeItem(at: vocabDir) }
        let fallback = runParity(try TokenizerLoader.load(from: vocabDir), file.cases, useFallback: true)
        print("stress: \(fallbackFiles.joined(separator: " + ")) \(fallback.equal)/\(fallback.compared)")
        #expect(fallback.failures.isEmpty, "\(fallback.failures.prefix(10).joined(separator: "\n"))")
    }
}
