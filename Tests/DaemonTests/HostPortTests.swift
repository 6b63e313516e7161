import Protocol
import Testing

@testable import LoaddCore

/// `HostPort`, the one `HOST:PORT` reader: the config file's `master:`/`listen:` and `loadctl target --listen`.
@Suite struct HostPortTests {
    @Test(arguments: [
        ("10.0.0.1:7557", "10.0.0.1", 7557), ("master.example:80", "master.example", 80), ("[::1]:7557", "::1", 7557),
    ])
    func aHostAndPortAreRead(text: String, host: String, port: Int) throws {
        #expect(try HostPort(parsing: text) == HostPort(host: host, port: port))
        #expect(FleetNode.split(text) == (host, port))
    }

    @Test func theConfigFileKeepsAcceptingAnUnbracketedIPv6HostSplitAtTheLastColon() throws {
        #expect(throws: HostPort.ParseError.unbracketedIPv6) { try HostPort(parsing: "::1:7557") }
        #expect(try HostPort(parsing: "::1:7557", bareIPv6: true) == HostPort(host: "::1", port: 7557))
        #expect(FleetNode.split("::1:7557") == ("::1", 7557))
    }

    @Test(arguments: [
        ("", HostPort.ParseError.empty), ("7557", .noHost), (":7557", .noHost), ("host:", .portNotANumber("")),
        ("host:0", .portOutOfRange(0, 1...65535)), ("host:65536", .portOutOfRange(65536, 1...65535)),
        ("[::1", .unclosedBracket), ("[::1]7557", .noPortAfterBracket), ("[]:7557", .emptyBracketedHost),
    ])
    func whatIsNotAHostAndPortIsNamed(text: String, problem: HostPort.ParseError) {
        #expect(throws: problem) { try HostPort(parsing: text, ports: 1...65535) }
    }

    @Test func aBarePortMeansTheDefaultHostWhenThereIsOne() throws {
        #expect(try HostPort(parsing: "8080", defaultHost: "127.0.0.1") == HostPort(host: "127.0.0.1", port: 8080))
        #expect(try HostPort(parsing: ":0", defaultHost: "127.0.0.1") == HostPort(host: "127.0.0.1", port: 0))
        #expect(HostPort(host: "::1", port: 80).description == "[::1]:80")
        #expect(HostPort(host: "10.0.0.1", port: 80).description == "10.0.0.1:80")
    }
}
