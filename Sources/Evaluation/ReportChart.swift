// Evaluation reports as a grouped bar chart (Charts' BarChart): the chart `eval --json` and
// `compare --json` write next to the JSON.

import Charts

extension BarChart {
    /// Compares evaluation reports: one category per set (paper order) plus "Avg." when there are
    /// several sets, one series per report (named by `labels`, default the model names).
    public init(comparing reports: [EvalReport], labels: [String]? = nil, title: String = "Evaluation") {
        let names = labels ?? ReportTable.columnLabels(reports)
        precondition(names.count == reports.count, "BarChart: \(names.count) labels for \(reports.count) reports")
        var seen = Set<String>(), sets: [String] = []
        for r in reports { for result in r.results where seen.insert(result.set).inserted { sets.append(result.set) } }
        sets = EvalRegistry.paperOrder(sets)
        var categories = sets.map { EvalRegistry.displayName(for: $0) }
        var series = zip(names, reports).map { name, report in
            BarSeries(name: name, values: sets.map { report.result(for: $0)?.score })
        }
        if sets.count > 1 {
            categories.append("Avg.")
            for i in series.indices { series[i].values.append(reports[i].results.isEmpty ? nil : reports[i].average) }
        }
        let metrics = Set(reports.flatMap { $0.results.map(\.metric) })
        let yLabel = metrics == [.rocAUC] ? "ROC-AUC × 100" : metrics == [.spearman] ? "Spearman ρ × 100" : "score × 100"
        self.init(title: title, yLabel: yLabel, categories: categories, series: series)
    }
}
