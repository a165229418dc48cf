package dev.starling.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProvidersTest {

    @Test
    void namesAreSortedAndDistinct() {
        assertEquals("echo, http1", Providers.names(List.of("http1", "echo", "http1"), s -> s));
    }
}
