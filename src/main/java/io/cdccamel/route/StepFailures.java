package io.cdccamel.route;

import io.cdccamel.store.PositionsJournal.Position;
import org.apache.camel.Exchange;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Batches that the route's own steps failed on. A batch whose exchange fails before the write step
 * starts writing (a step threw, or left a body the write step refuses) is fetched again by the
 * consumer ({@code breakOnFirstError}); after {@value #ATTEMPTS} failed attempts its change events
 * become dead letters with the step's error as the reason, so that one bad record cannot hold its
 * partitions for ever, and its offsets are committed with the batch. A failure of the write step's
 * own (a disk full, a failed append) is not counted: its records are written when the fault is gone.
 * <p>
 * Kept in memory, per record: a restart starts counting again, which costs attempts, never records.
 */
final class StepFailures {

    private static final Logger LOG = LoggerFactory.getLogger(StepFailures.class);
    /** Attempts at a batch before its change events are dead letters. */
    static final int ATTEMPTS = 3;
    /** Exchange property the write step sets when it starts writing: failures after it are the output's, not a step's. */
    static final String WRITING = "CdcWriting";
    /** Enough for many failing batches; past it the counts start again (more attempts, nothing lost). */
    private static final int MAX_TRACKED = 100_000;

    private record Failure(int attempts, String reason) {
    }

    private final Map<Position, Failure> failures = new ConcurrentHashMap<>();

    /** Why this record is to be dead-lettered instead of written, or null while it has attempts left. */
    String deadLetterReason(String topic, int partition, long offset) {
        if (failures.isEmpty()) {
            return null;
        }
        Failure f = failures.get(new Position(topic, partition, offset));
        return f == null || f.attempts() < ATTEMPTS ? null
                : "the route's steps failed on its batch " + f.attempts() + " times: " + f.reason();
    }

    /**
     * Counts the exchange's outcome when it completes: a failure for the batch's change events, a
     * success clears its records. Nothing per record is done for a batch that succeeds while no
     * failure is counted (the usual case: the default route pays one callback per batch).
     */
    void watch(Exchange exchange, ChangeEventBatch batch) {
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onComplete(Exchange done) {
                if (!failures.isEmpty()) {
                    positions(batch, false).forEach(failures::remove);
                }
            }

            @Override
            public void onFailure(Exchange failed) {
                List<Position> events = positions(batch, true);
                if (events.isEmpty() || failed.getProperty(WRITING, false, Boolean.class)) {
                    return;
                }
                Exception e = failed.getException();
                while (e instanceof RuntimeCamelException && e.getCause() instanceof Exception cause) {
                    e = cause;
                }
                String reason = e == null ? "the exchange failed" : DeadLetters.reason(e);
                if (failures.size() > MAX_TRACKED) {
                    failures.clear();
                }
                int attempts = 0;
                for (Position p : events) {
                    String why = reason;
                    attempts = failures.merge(p, new Failure(1, why), (a, b) -> new Failure(a.attempts() + 1, why)).attempts();
                }
                LOG.error("Route {}'s steps failed on a batch of {} change event(s) from {} (attempt {} of {}): {}. {}",
                        failed.getFromRouteId(), events.size(), events.get(0), attempts, ATTEMPTS, reason,
                        attempts >= ATTEMPTS ? "Its change events go to the dead letters when it is fetched again"
                                : "It is fetched again");
            }
        });
    }

    /** The batch's change events ({@code eventsOnly}), or all its records not written before. */
    private static List<Position> positions(ChangeEventBatch batch, boolean eventsOnly) {
        List<Position> positions = new java.util.ArrayList<>();
        for (int i = 0; i < batch.itemCount(); i++) {
            ChangeEventBatch.Item item = batch.item(i);
            if (eventsOnly ? item.read() instanceof ChangeEventBatch.Event : !(item.read() instanceof ChangeEventBatch.Written)) {
                positions.add(new Position(item.topic(), item.partition(), item.offset()));
            }
        }
        return positions;
    }
}
