package dev.starling.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointTest {

    @ParameterizedTest
    @CsvSource({
            "0:0:0:0:0:0:0:1, ::1",
            "0:0:0:0:0:0:0:0, ::",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
            "fe80:0:0:0:0:0:0:0, fe80::",
    })
    void ipv6IsWrittenInItsShortForm(String full, String shortForm) {
        assertEquals(shortForm, Endpoint.Inet.compressed(full));
    }

    @Test
    void anInetEndpointReadsAsSpecsDo() throws Exception {
        assertEquals("[::1]:80", new Endpoint.Inet(new InetSocketAddress(InetAddress.getByName("::1"), 80), false).toString());
        assertEquals("127.0.0.1:0", new Endpoint.Inet(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), false).toString());
    }

    @Test
    void socketPermissionsAreNineBits() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Endpoint.UnixPath(Path.of("/tmp/a.sock"), OptionalInt.of(01000)));
        assertEquals("socket permissions must be between 000 and 777 (octal), was 1000", e.getMessage());
    }

    @Test
    void anUnresolvedAddressIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new Endpoint.Inet(InetSocketAddress.createUnresolved("example.invalid", 80), false));
    }
}
