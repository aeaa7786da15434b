// mirror-bert compare: before/after evaluation of two models in one table.

import ArgumentParser
import Evaluation
import Foundation

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare", abstract: "Evaluate two models on the same sets; print before, after and the difference.")

    @Option(help: "The model before (e.g. the pretrained checkpoint).")
    var before: String

    @Option(help: "The model after (e.g. the Mirror-BERT output).")
    var after: String

    @OptionGroup var options: EvalOptions

    @Option(help: "Write both reports as JSON to this file (a bar chart goes next to it as .svg).")
    var json: String?

    func run() throws {
        let sets = try options.loadSets()
        let reports = try [before, after].map { try options.evaluate(URL(fileURLWithPath: $0), sets: sets) }
        print(ReportTable.comparison(reports, labels: ["before", "after"]))
        if let json { try writeReports(reports, labels: ["before", "after"], json: json) }
    }
}
