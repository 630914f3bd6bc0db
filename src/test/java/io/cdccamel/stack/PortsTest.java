package io.cdccamel.stack;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PortsTest {

    @Test
    void shouldNeverHandOutOnePortTwice() {
        // nothing binds them here, as nothing has bound the stack's ports yet when it picks them all
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            assertThat(ports.add(Ports.freePort())).as("port handed out twice after %d calls", i).isTrue();
        }
    }
}
