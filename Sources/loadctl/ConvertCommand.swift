import ArgumentParser
import Engine

/// `loadctl convert recording.har > scenario.yaml`: a browser recording becomes a scenario that
/// passes `loadctl validate` as it is.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Turn a browser recording (HAR 1.2, \"Save all as HAR\") into a scenario on stdout.")

    @Argument(help: "The HAR file (at most 64 MiB).", completion: .file(extensions: ["har", "json"]))
    var file: String

    @Flag(name: .long, help: "Keep static assets (images, CSS, JS, fonts) and requests to other hosts.")
    var all = false

    @Option(name: .long, help: "The scenario's name (default: the file's base name).")
    var name: String?

    func run() throws {
        let conversion: HARConverter.Conversion
        do {
            conversion = try HARConverter.convert(file: file, options: HARConverter.Options(all: all, name: name))
        } catch {
            Console.err("loadctl: \(file): \(error)")
            throw ExitCodes.badInput
        }
        for note in conversion.notes { Console.err("loadctl convert: \(note)") }
        Console.out(conversion.yaml)
    }
}
