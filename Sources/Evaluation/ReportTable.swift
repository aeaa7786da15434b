// Plain-text tables for a terminal: scores ×100 with two decimals, columns right-aligned.
//
// One report — one block per suite, in the paper's column order, with the suite's average:
//   model: mirror-bert   pooling: cls   max_length: 64
//
//                STS12  STS13  STS14  STS15  STS16  STS-B  SICK-R   Avg.
//   mirror-bert  64.88  78.24  70.46  80.11  74.39  76.41   70.63  73.59
//
// Several reports — one row per set (paper order), one column per report, suite averages, the
// overall average, and with exactly two reports a last column Δ = second − first.
// A missing set is "-", an undefined score "n/a".

import Charts
import Foundation

public enum ReportTable {
    // MARK: - One report

    /// The table for one report.
    public static func render(_ report: EvalReport) -> String {
        var lines = ["model: \(report.model)   pooling: \(report.pooling)   max_length: \(report.maxLength)"]
        let suites = EvalReport.suitesPresent(report.results)
        for suite in suites {
            let names = EvalRegistry.paperOrder(report.results.map(\.set).filter { EvalRegistry.suite(of: $0) == suite })
            var headings = names.map { EvalRegistry.displayName(for: $0) }
            var values = names.map { format(report.result(for: $0)?.score) }
            if names.count > 1 {
                headings.append("Avg.")
                values.append(format(suiteAverage(report, suite)))
            }
            lines.append("")
            lines += align([[""] + headings, [report.model] + values], leftColumns: 1)
        }
        if suites.count > 1 {
            lines.append("")
            lines.append("Average over all \(report.results.count) sets: \(format(report.average))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Several reports

    /// A side-by-side table of `reports`; `labels` name the columns (default: each report's model,
    /// numbered when two are equal). With two reports a last column gives the difference.
    public static func comparison(_ reports: [EvalReport], labels: [String]? = nil) -> String {
        precondition(!reports.isEmpty, "ReportTable.comparison: no reports")
        let columns = labels ?? columnLabels(reports)
        precondition(columns.count == reports.count, "ReportTable.comparison: \(columns.count) labels for \(reports.count) reports")
        let withDelta = reports.count == 2
        var rows: [[String]] = [["set"] + columns + (withDelta ? ["Δ"] : [])]
        func row(_ label: String, _ values: [Double?]) {
            var cells = [label] + values.map { format($0) }
            if withDelta { cells.append(formatDelta(values[0], values[1])) }
            rows.append(cells)
        }

        var seen = Set<String>(), allNames: [String] = []
        for r in reports { for result in r.results where seen.insert(result.set).inserted { allNames.append(result.set) } }
        allNames = EvalRegistry.paperOrder(allNames)
        let suites = EvaluationSuites.present(allNames)
        for suite in suites {
            let names = allNames.filter { EvalRegistry.suite(of: $0) == suite }
            for name in names {
                row(EvalRegistry.displayName(for: name), reports.map { $0.result(for: name)?.score })
            }
            if suites.count > 1 && names.count > 1 {
                row("\(suite.rawValue) avg.", reports.map { suiteAverage($0, suite) })
            }
        }
        if allNames.count > 1 { row("Avg.", reports.map { $0.results.isEmpty ? nil : $0.average }) }

        var lines = align(rows, leftColumns: 1)
        let sameSets = Set(reports.map { $0.results.map(\.set).sorted() }).count == 1
        if !sameSets && allNames.count > 1 {
            lines.append("(the reports cover different sets; each average is over its own report's sets)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Column labels: each report's model name (or "report N" if empty), with " (N)" appended
    /// to repeated names.
    public static func columnLabels(_ reports: [EvalReport]) -> [String] {
        let base = reports.enumerated().map { $1.model.isEmpty ? "report \($0 + 1)" : $1.model }
        var counts: [String: Int] = [:]
        for b in base { counts[b, default: 0] += 1 }
        var used: [String: Int] = [:]
        return base.map { b in
            guard counts[b]! > 1 else { return b }
            used[b, default: 0] += 1
            return "\(b) (\(used[b]!))"
        }
    }

    // MARK: - Formatting

    /// Fixed decimals (two by default); "-" for missing, "n/a" for NaN; never "-0.00".
    public static func format(_ value: Double?, decimals: Int = 2) -> String {
        guard let value else { return "-" }
        guard value.isFinite else { return "n/a" }
        return fixedDecimals(value, decimals: decimals)
    }

    /// Signed two decimals ("+1.25", "-0.40", "0.00") of b − a.
    static func formatDelta(_ a: Double?, _ b: Double?) -> String {
        guard let a, let b else { return "-" }
        let d = b - a
        guard d.isFinite else { return "n/a" }
        let s = format(d)
        return s == "0.00" || s.hasPrefix("-") ? s : "+" + s
    }

    /// The mean score of `report`'s sets in `suite` (nil if it has none).
    static func suiteAverage(_ report: EvalReport, _ suite: EvalSuite) -> Double? {
        let scores = report.results.filter { EvalRegistry.suite(of: $0.set) == suite }.map(\.score)
        return scores.isEmpty ? nil : Statistics.mean(scores)
    }

    /// Pads cells so columns line up: the first `leftColumns` left-aligned, the rest right-aligned,
    /// two spaces between columns, no trailing spaces.
    static func align(_ rows: [[String]], leftColumns: Int) -> [String] {
        let columnCount = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columnCount)
        for row in rows { for (j, cell) in row.enumerated() { widths[j] = max(widths[j], cell.count) } }
        return rows.map { row in
            var line = ""
            for (j, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[j] - cell.count)
                if j > 0 { line += "  " }
                line += j < leftColumns ? cell + pad : pad + cell
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }
}
