package io.cdccamel.stack;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RecordLimitsTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void shouldFollowTheHeapBetweenTheFloorAndTheCeiling() {
        assertThat(RecordLimits.forHeap(512 * MIB)).as("the quick start's -Xmx512m").isEqualTo((int) (512 * MIB / 16));
        assertThat(RecordLimits.forHeap(4096 * MIB)).as("-Xmx4g: an update of a 50 MB bytea row fits")
                .isEqualTo(RecordLimits.CEILING_BYTES).isGreaterThan(2 * 100_000_002 + 10_000);
        assertThat(RecordLimits.forHeap(16 * MIB)).isEqualTo(4 * MIB);
        assertThat(RecordLimits.forHeap(64L * 1024 * MIB)).isEqualTo(RecordLimits.CEILING_BYTES);
    }

    @Test
    void shouldBufferTwoRecordsInTheProducer() {
        assertThat(RecordLimits.producerBufferBytes(RecordLimits.CEILING_BYTES)).isEqualTo(570_425_344L);
    }

    @Test
    void shouldGiveBigEventsTransactionsLongEnoughToCarryThem() {
        // the quick start's and the tests' heaps keep the 10 s that bounds a killed worker's hold on readers
        assertThat(RecordLimits.transactionTimeoutMs(RecordLimits.forHeap(512 * MIB))).isEqualTo(10_000);
        assertThat(RecordLimits.transactionTimeoutMs(RecordLimits.forHeap(1024 * MIB))).isEqualTo(10_000);
        assertThat(RecordLimits.transactionTimeoutMs(RecordLimits.forHeap(2048 * MIB))).isEqualTo(16_000);
        assertThat(RecordLimits.transactionTimeoutMs(RecordLimits.CEILING_BYTES)).isEqualTo(32_000);
    }
}
