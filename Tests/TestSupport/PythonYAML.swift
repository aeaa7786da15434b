// Reads YAML with PyYAML's safe_load — the parser huggingface_hub reads a model card's front matter
// with — through the system python3, so card tests check our YAML with that reader rather than with
// a copy of our own assumptions. Tests that need it are skipped where python3 has no yaml module.

import Foundation

public enum PythonYAML {
    /// True if `python3 -c "import yaml"` works here.
    public static let isAvailable: Bool = (try? run("import yaml", input: Data()))?.status == 0

    /// `yaml.safe_load(text)` as a Foundation JSON object (dates and other non-JSON values as
    /// strings). Floats travel as their Python repr and are read with Swift's correctly rounded
    /// `Double(String)`: Foundation's JSON parser on Linux can be off by an ulp (0.7236000000000001
    /// came back as 0.7236000000000002).
    public static func load(_ text: String) throws -> Any {
        let script = """
            import sys, json, yaml
            def wrap(x):
                if isinstance(x, float): return {"__float__": repr(x)}
                if isinstance(x, dict): return {str(k): wrap(v) for k, v in x.items()}
                if isinstance(x, list): return [wrap(v) for v in x]
                return x
            print(json.dumps(wrap(yaml.safe_load(sys.stdin.read())), default=str))
            """
        let r = try run(script, input: Data(text.utf8))
        guard r.status == 0 else {
            throw NSError(domain: "PythonYAML", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: r.stderr])
        }
        return unwrapFloats(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8), options: [.fragmentsAllowed]))
    }

    private static func unwrapFloats(_ x: Any) -> Any {
        if let d = x as? [String: Any] {
            if d.count == 1, let s = d["__float__"] as? String, let v = Double(s) { return v }
            return d.mapValues(unwrapFloats)
        }
        if let a = x as? [Any] { return a.map(unwrapFloats) }
        return x
    }

    private static func run(_ script: String, input: Data) throws -> (status: Int32, stdout: String, stderr: String) {
        let r = try Subprocess.python(["-c", script], stdin: input)
        return (r.status, r.stdout, r.stderr)
    }
}
