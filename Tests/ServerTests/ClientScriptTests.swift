// The real clients (Scripts/client_check.py: the `openai` package, huggingface_hub's
// InferenceClient, curl) against `mirror-bert serve` with all-MiniLM-L6-v2: every check must
// pass. CI installs the clients (.ci/run); elsewhere the test is skipped with the reason.

import Foundation
import Testing
import TestSupport

/// Whether python3 can import the client packages the script needs (nil), else why not.
private let clientsMissing: String? = {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", "import openai, huggingface_hub, numpy"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return "python3 is not available" }
    p.waitUntilExit()
    return p.terminationStatus == 0 ? nil : "pip install openai huggingface_hub numpy (CI does) to run the client checks"
}()

@Suite(.serialized, .enabled(if: TestPaths.exists(TestPaths.miniLM), "run Scripts/setup.sh to fetch all-MiniLM-L6-v2"))
struct ClientScriptTests {
    @Test(.enabled(if: clientsMissing == nil, Comment(rawValue: clientsMissing ?? "")))
    func realClientsAgreeWithEncode() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", TestPaths.root.appendingPathComponent("Scripts/client_check.py").path,
                       "--bin", MirrorBERTExecutable.url.path, "--model", TestPaths.miniLM.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "Scripts/client_check.py failed:\n\(text)")
        #expect(!text.contains("FAIL"), "\(text)")
    }
}
