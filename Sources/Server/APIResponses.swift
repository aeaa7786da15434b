// Response bodies of the JSON API, written with JSONWriter (fixed key order, shortest
// round-tripping floats).

import Foundation
import JSON
import Search

enum APIResponses {
    /// {"object":"list","data":[{"object":"embedding","index":i,"embedding":[…] | "base64…"}],
    ///  "model":m,"usage":{"prompt_tokens":N,"total_tokens":N}}
    static func embeddings(_ vectors: [Float], dimension: Int, base64: Bool, model: String, tokens: Int) -> [UInt8] {
        let rows = dimension == 0 ? 0 : vectors.count / dimension
        var w = JSONWriter(capacity: 64 + rows * (base64 ? dimension * 6 / 3 + 64 : dimension * 12 + 64))
        w.raw("{"); w.key("object"); w.string("list"); w.raw(","); w.key("data"); w.raw("[")
        vectors.withUnsafeBufferPointer { all in
            for i in 0..<rows {
                let row = UnsafeBufferPointer(rebasing: all[(i * dimension)..<((i + 1) * dimension)])
                w.raw(i == 0 ? "{" : ",{")
                w.key("object"); w.string("embedding"); w.raw(",")
                w.key("index"); w.int(i); w.raw(",")
                w.key("embedding")
                if base64 { w.string(littleEndianBase64(row)) } else { w.floats(row) }
                w.raw("}")
            }
        }
        w.raw("],"); w.key("model"); w.string(model); w.raw(",")
        usage(&w, tokens)
        w.raw("}")
        return w.bytes
    }

    /// {"object":"list","data":[{"object":"similarity","index":i,"score":s}],"model":m,"usage":{…}}
    static func similarity(_ scores: [Double], model: String, tokens: Int) -> [UInt8] {
        var w = JSONWriter()
        w.raw("{"); w.key("object"); w.string("list"); w.raw(","); w.key("data"); w.raw("[")
        for (i, s) in scores.enumerated() {
            w.raw(i == 0 ? "{" : ",{")
            w.key("object"); w.string("similarity"); w.raw(",")
            w.key("index"); w.int(i); w.raw(",")
            w.key("score"); w.double(s); w.raw("}")
        }
        w.raw("],"); w.key("model"); w.string(model); w.raw(",")
        usage(&w, tokens)
        w.raw("}")
        return w.bytes
    }

    /// {"object":"list","data":[{"object":"search_result","query_index":q,"query":text,
    ///  "results":[{"rank":1,"index":row,"score":s,"text":t}]}],"model":m,"usage":{…}}
    static func search(_ hits: [[SearchHit]], queries: [String], texts: [String], model: String, tokens: Int) -> [UInt8] {
        var w = JSONWriter()
        w.raw("{"); w.key("object"); w.string("list"); w.raw(","); w.key("data"); w.raw("[")
        for (q, queryHits) in hits.enumerated() {
            w.raw(q == 0 ? "{" : ",{")
            w.key("object"); w.string("search_result"); w.raw(",")
            w.key("query_index"); w.int(q); w.raw(",")
            w.key("query"); w.string(queries[q]); w.raw(",")
            w.key("results"); w.raw("[")
            for (rank, hit) in queryHits.enumerated() {
                w.raw(rank == 0 ? "{" : ",{")
                w.key("rank"); w.int(rank + 1); w.raw(",")
                w.key("index"); w.int(hit.index); w.raw(",")
                w.key("score"); w.double(hit.score); w.raw(",")
                w.key("text"); w.string(texts[hit.index]); w.raw("}")
            }
            w.raw("]}")
        }
        w.raw("],"); w.key("model"); w.string(model); w.raw(",")
        usage(&w, tokens)
        w.raw("}")
        return w.bytes
    }

    static func usage(_ w: inout JSONWriter, _ tokens: Int) {
        w.key("usage"); w.raw("{"); w.key("prompt_tokens"); w.int(tokens); w.raw(",")
        w.key("total_tokens"); w.int(tokens); w.raw("}")
    }

    /// Base64 of the floats as little-endian binary32, as OpenAI's encoding_format "base64".
    static func littleEndianBase64(_ values: UnsafeBufferPointer<Float>) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 4)
        for v in values {
            let bits = v.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { bytes += $0 }
        }
        return Data(bytes).base64EncodedString()
    }
}
