package io.cdccamel.stack;

import org.apache.kafka.common.utils.Exit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaFaultsTest {

    @AfterEach
    void restoreKafkasExit() {
        Exit.resetHaltProcedure();
        Exit.resetExitProcedure();
    }

    @Test
    void shouldKeepTheJvmRunningWhenAKafkaNodeAsksToHaltOrExit() {
        KafkaFaults.install();
        int before = KafkaFaults.refused();
        // what Kafka's ProcessTerminatingFaultHandler does after "Encountered fatal fault"
        Exit.halt(1, "simulated fatal fault");
        Exit.exit(1);
        assertThat(KafkaFaults.refused()).isEqualTo(before + 2);
    }
}
