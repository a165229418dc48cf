package dev.starling.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.worker.Endpoint;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code --listen} specs: every accepted form, and the message a bad one gets. */
class ListenSpecTest {

    private static ListenSpec parse(String spec) {
        return ListenSpec.parse(spec, false, OptionalInt.empty());
    }

    @Test
    void hostAndPortIsTcp() throws Exception {
        ListenSpec spec = parse("127.0.0.1:8080");
        assertEquals("tcp", spec.transport());
        assertEquals(new Endpoint.Inet(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 8080), false), spec.endpoint());
        assertFalse(spec.datagram());
    }

    @Test
    void bracketedIpv6IsTcpOverIpv6() throws Exception {
        ListenSpec spec = parse("[::1]:9000");
        assertEquals(new Endpoint.Inet(new InetSocketAddress(InetAddress.getByName("::1"), 9000), false), spec.endpoint());
        assertEquals("[::1]:9000", spec.toString());
    }

    @Test
    void ipv6OnlyIsCarriedToTheEndpoint() {
        Endpoint.Inet inet = (Endpoint.Inet) ListenSpec.parse("[::]:80", true, OptionalInt.empty()).endpoint();
        assertTrue(inet.ipv6Only());
        assertTrue(inet.v6OnlyApplies());
        Endpoint.Inet v4 = (Endpoint.Inet) ListenSpec.parse("0.0.0.0:80", true, OptionalInt.empty()).endpoint();
        assertFalse(v4.v6OnlyApplies(), "IPV6_V6ONLY means nothing to an IPv4 socket");
    }

    @Test
    void unixPathTakesTheSocketMode() {
        ListenSpec spec = ListenSpec.parse("unix:/run/app.sock", false, OptionalInt.of(0660));
        assertEquals("unix", spec.transport());
        assertEquals(new Endpoint.UnixPath(Path.of("/run/app.sock"), OptionalInt.of(0660)), spec.endpoint());
        assertEquals("unix:/run/app.sock", spec.toString());
    }

    @Test
    void aRelativeUnixPathIsMadeAbsolute() {
        Endpoint.UnixPath path = (Endpoint.UnixPath) parse("unix:app.sock").endpoint();
        assertEquals(Path.of("app.sock").toAbsolutePath(), path.path());
    }

    @Test
    void unixAtIsAnAbstractName() {
        ListenSpec spec = parse("unix:@starling");
        assertEquals(new Endpoint.UnixAbstract("starling"), spec.endpoint());
        assertEquals("unix:@starling", spec.toString());
    }

    @Test
    void tlsAndUdpSchemesSelectTheirTransports() {
        assertEquals("tls", parse("tls://127.0.0.1:8443").transport());
        ListenSpec udp = parse("udp://[::1]:5353");
        assertEquals("udp", udp.transport());
        assertTrue(udp.datagram());
        assertEquals("udp://[::1]:5353", udp.toString());
        assertEquals("tls://127.0.0.1:8443", parse("tls://127.0.0.1:8443").toString());
    }

    @Test
    void everyFormReadsBackFromItsText() {
        for (String text : List.of("127.0.0.1:0", "[::]:80", "unix:/tmp/a.sock", "unix:@a b", "tls://[::1]:443", "udp://127.0.0.1:53")) {
            ListenSpec spec = parse(text);
            assertEquals(spec, parse(spec.toString()), text);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|empty",
            "8080|no port",
            "localhost|no port",
            ":8080|no host",
            "::1:8080|an IPv6 address needs brackets: [::1]:8080",
            "[::1]8080|an IPv6 address is written [ADDRESS]:PORT",
            "[::1|an IPv6 address is written [ADDRESS]:PORT",
            "[127.0.0.1]:80|'127.0.0.1' in brackets is not an IPv6 address",
            "127.0.0.1:http|port 'http' is not a number",
            "127.0.0.1:65536|port must be between 0 and 65535, was 65536",
            "127.0.0.1:-1|port must be between 0 and 65535, was -1",
            "http://127.0.0.1:80|unknown scheme 'http://'",
            "unix:|the socket path is empty",
            "unix:@|the abstract socket name after '@' is empty",
            "no-such-host.invalid:80|'no-such-host.invalid' is not a known host name or address",
    })
    void aBadSpecIsNamedWithTheAcceptedForms(String spec, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(spec));
        assertEquals("--listen '" + spec + "': " + reason + "; accepted forms: HOST:PORT, [IPV6]:PORT, unix:/path/to.sock, "
                + "unix:@name, tls://HOST:PORT, udp://HOST:PORT", e.getMessage());
    }

    @Test
    void aUnixNameLongerThanASocketAddressHoldsIsRefused() {
        String longName = "x".repeat(108);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("unix:@" + longName));
        assertTrue(e.getMessage().contains("the UNIX socket name is 108 bytes, longer than the 107 a socket address holds"),
                e.getMessage());
    }
}
