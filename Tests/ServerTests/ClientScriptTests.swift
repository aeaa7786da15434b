// The real clients (Scripts/client_check.py: the `openai` package, huggingface_hub's
// InferenceClient, curl) against `mirror-bert serve` with all-MiniLM-L6-v2: every check must
// pass. CI installs the clients (.ci/run); elsewhere the test is skipped with the reason.

import Foundation
import Testing
import TestSupport

/// nil if python3 can import the client packages the script needs, else why not.
private let clientsMissing: String? = {
    let r = try? Subprocess.python(["-c", "import openai, huggingface_hub, numpy"])
    return r?.status == 0 ? nil : "pip install openai huggingface_hub numpy (CI does) to run the client checks"
}()

@Suite(.serialized, .enabled(if: TestPaths.exists(TestPaths.miniLM), "run Scripts/setup.sh to fetch all-MiniLM-L6-v2"))
struct ClientScriptTests {
    @Test(.enabled(if: clientsMissing == nil, Comment(rawValue: clientsMissing ?? "")))
    func realClientsAgreeWithEncode() throws {
        let r = try Subprocess.python([TestPaths.root.appendingPathComponent("Scripts/client_check.py").path,
                                       "--bin", MirrorBERTExecutable.url.path, "--model", TestPaths.miniLM.path])
        #expect(r.status == 0 && !r.stdout.contains("FAIL"), "Scripts/client_check.py failed:\n\(r)")
    }
}
