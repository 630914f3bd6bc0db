package io.cdccamel.route;

import io.cdccamel.base.Published;
import io.cdccamel.store.PositionsJournal.Position;
import org.apache.camel.CamelExchangeException;
import org.apache.camel.Exchange;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records that the route's own steps fail on. A batch whose exchange fails before the write step
 * starts writing (a step threw, or left a body the write step refuses) is fetched again by the
 * consumer ({@code breakOnFirstError}: camel-kafka reconnects and reads on from the committed offsets).
 * After {@value #ATTEMPTS} failed attempts its records are <em>suspects</em>, and the route looks
 * for the one the steps fail on: each fetch of the batch hands the steps only a part of it
 * ({@link #take}), one partition's records up to a cut, the rest held back (not written, not committed,
 * fetched again: {@link HeldBack}). A part the steps pass is written and committed; a part they fail
 * on narrows the search to it, and the other suspects are cleared. When the part is one record and
 * the steps fail on it alone {@value #ATTEMPTS} times, that record, and only it, goes to the dead
 * letters with the step's error as the reason; the others are written as the steps leave them.
 * A batch of n records costs about log2(n) more fetches, each a reconnection of the consumer.
 * <p>
 * A failure of the write step's own (a disk full, a failed append) is not counted: its records are
 * written when the fault is gone. Kept in memory, per record: a restart starts counting again, which
 * costs attempts, never records.
 */
@Published
public final class StepFailures {

    private static final Logger LOG = LoggerFactory.getLogger(StepFailures.class);
    /** Attempts at a batch before its records are suspects, and at a suspect alone before it is a dead letter. */
    public static final int ATTEMPTS = 3;
    /** Exchange property the write step sets when it starts writing: failures after it are the output's, not a step's. */
    static final String WRITING = "CdcWriting";
    /** Enough for many failing batches; past it the counts start again (more attempts, nothing lost). */
    private static final int MAX_TRACKED = 100_000;

    /**
     * One record's failures: {@code attempts} of a batch holding it, then {@code alone} of it by itself;
     * {@code deadLetter} once those failed too.
     */
    private record Failure(int attempts, int alone, boolean deadLetter, String reason) {
        boolean suspect() {
            return attempts >= ATTEMPTS && !deadLetter;
        }
    }

    /**
     * What the read step takes of a poll: {@code records}, in poll order; {@code held} records left
     * for the next fetch; {@code tried}, the suspects among the records taken, and {@code others},
     * the poll's suspects not taken (both empty when the poll has no suspect: all of it taken).
     */
    record Taken(List<Exchange> records, int held, List<Position> tried, List<Position> others) {
        boolean isolating() {
            return !tried.isEmpty();
        }
    }

    /**
     * The exception that ends an exchange which wrote a part of its poll while the route looks for
     * a failing record: camel-kafka reconnects, and the records held back are fetched again from the
     * offsets just committed. Not an error: camel-kafka 4.18 says it in a WARN line of its own
     * ("Error during processing ... due to" this message), after this class's INFO line.
     */
    public static final class HeldBack extends RuntimeException {
        HeldBack(String message) {
            super(message, null, false, false);
        }
    }

    private final Map<Position, Failure> failures = new ConcurrentHashMap<>();
    private final AtomicLong failedAttempts = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private volatile String lastReason;

    /** Failed attempts at batches and parts of batches since start ({@code cdc.route.step.failures}). */
    public long failedAttempts() {
        return failedAttempts.get();
    }

    /** Records the steps failed on alone, sent to the dead letters, since start ({@code cdc.route.step.dead-letters}). */
    public long deadLetters() {
        return deadLetters.get();
    }

    /** Records that were in a failed attempt of the steps and are not written yet (0: the steps pass). */
    public long failing() {
        return failures.values().stream().filter(f -> !f.deadLetter()).count();
    }

    /**
     * While records the steps failed on are not written yet: how many, how many are searched, and the
     * steps' last error, as the health check and the live page say it; null while the steps pass.
     */
    public String failingNow() {
        long failing = failing();
        return failing == 0 ? null : "the print route's steps fail on " + failing + " record(s) not written yet ("
                + suspects() + " searched for the one they fail on): " + lastReason;
    }

    /** Records the route is looking among for the one its steps fail on ({@code cdc.route.step.suspects}). */
    public long suspects() {
        return failures.values().stream().filter(Failure::suspect).count();
    }

    /** Why this record is to be dead-lettered instead of offered to the steps, or null. */
    String deadLetterReason(String topic, int partition, long offset) {
        if (failures.isEmpty()) {
            return null;
        }
        Failure f = failures.get(new Position(topic, partition, offset));
        return f == null || !f.deadLetter() ? null
                : "the route's steps failed on this record: its batch " + f.attempts() + " times and the record alone "
                + f.alone() + " times: " + f.reason();
    }

    /**
     * The records of a poll that the steps get. All of them, but while the poll holds suspects: then
     * the first suspect's partition's records up to a cut, the others held back. The cut is that
     * partition's last suspect when the poll's suspects are of several partitions (a partition
     * cleared at once), else the middle one (half the suspects at a time).
     */
    Taken take(List<Exchange> consumed) {
        if (failures.isEmpty()) {
            return new Taken(consumed, 0, List.of(), List.of());
        }
        List<Position> suspects = new ArrayList<>();
        for (Exchange record : consumed) {
            Position p = position(record);
            Failure f = failures.get(p);
            if (f != null && f.suspect()) {
                suspects.add(p);
            }
        }
        if (suspects.isEmpty()) {
            return new Taken(consumed, 0, List.of(), List.of());
        }
        Position first = suspects.get(0);
        List<Position> ofFirst = suspects.stream().filter(p -> samePartition(p, first)).toList();
        Position cut = ofFirst.size() < suspects.size() ? ofFirst.get(ofFirst.size() - 1) : ofFirst.get((ofFirst.size() - 1) / 2);
        List<Exchange> taken = new ArrayList<>();
        for (Exchange record : consumed) {
            Position p = position(record);
            if (samePartition(p, first) && p.offset() <= cut.offset()) {
                taken.add(record);
            }
        }
        List<Position> tried = ofFirst.stream().filter(p -> p.offset() <= cut.offset()).toList();
        List<Position> others = suspects.stream().filter(p -> !tried.contains(p)).toList();
        return new Taken(taken, consumed.size() - taken.size(), tried, others);
    }

    /**
     * Counts the exchange's outcome when it completes: a failure for the batch's records, a success
     * clears them and, when records were held back, ends the exchange with {@link HeldBack} so that
     * they are fetched again. Nothing per record is done for a batch that succeeds while no failure
     * is counted (the usual case: the default route pays one callback per batch).
     */
    void watch(Exchange exchange, ChangeEventBatch batch, Taken taken) {
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onComplete(Exchange done) {
                if (!failures.isEmpty()) {
                    positions(batch).forEach(failures::remove);
                }
                if (taken.held() > 0) {
                    Position last = taken.tried().get(taken.tried().size() - 1);
                    LOG.info("Route {}'s steps passed {} record(s) of {} up to offset {}: written and committed. {} record(s) held "
                                    + "back and fetched again, while the route looks for the record its steps fail on",
                            done.getFromRouteId(), taken.records().size(), partition(last), last.offset(), taken.held());
                    done.setException(new HeldBack("not an error: " + taken.held() + " record(s) held back while route "
                            + done.getFromRouteId() + " looks for the record its steps fail on, fetched again"));
                }
            }

            @Override
            public void onFailure(Exchange failed) {
                List<Position> records = positions(batch);
                if (records.isEmpty() || failed.getProperty(WRITING, false, Boolean.class)) {
                    return;
                }
                failedAttempts.incrementAndGet();
                // the step's own error, not Camel's wrappers of it (a split's, a multicast's, a bean call's)
                Exception e = failed.getException();
                while ((e instanceof RuntimeCamelException || e instanceof CamelExchangeException) && e.getCause() instanceof Exception cause) {
                    e = cause;
                }
                String reason = e == null ? "the exchange failed" : DeadLetters.reason(e);
                lastReason = reason;
                if (failures.size() > MAX_TRACKED) {
                    failures.clear();
                }
                if (taken.isolating()) {
                    isolatingFailed(failed.getFromRouteId(), taken, reason);
                    return;
                }
                int attempts = 0;
                for (Position p : records) {
                    // a dead letter of the steps stays one: they do not see it (it is written with the next attempt)
                    attempts = failures.merge(p, new Failure(1, 0, false, reason),
                            (a, b) -> a.deadLetter() ? a : new Failure(a.attempts() + 1, 0, false, reason)).attempts();
                }
                LOG.error("Route {}'s steps failed on a batch of {} record(s) from {} offset {} (attempt {} of {}): {}. {}",
                        failed.getFromRouteId(), records.size(), partition(records.get(0)), records.get(0).offset(), attempts, ATTEMPTS, reason,
                        attempts >= ATTEMPTS ? "From its next fetch the route looks for the record(s) they fail on, "
                                + "a part of the batch at a time; the records they pass are written" : "It is fetched again");
            }
        });
    }

    /** The steps failed on a part of a poll: the search narrows to the suspects tried, or a suspect tried alone is a dead letter. */
    private void isolatingFailed(String routeId, Taken taken, String reason) {
        if (taken.tried().size() > 1) {
            // the record is among those tried: the other suspects are cleared (and counted again if they fail again)
            taken.others().forEach(failures::remove);
            LOG.error("Route {}'s steps failed on {} record(s) of {} from offset {}: {}. The record they fail on is among them: "
                            + "looking at half of them next", routeId, taken.tried().size(), partition(taken.tried().get(0)),
                    taken.tried().get(0).offset(), reason);
            return;
        }
        Position suspect = taken.tried().get(0);
        Failure f = failures.computeIfPresent(suspect, (p, old) -> new Failure(old.attempts(), old.alone() + 1,
                old.alone() + 1 >= ATTEMPTS, reason));
        if (f == null) {
            return; // counted by another consumer thread's exchange meanwhile (a rebalance): it goes on from there
        }
        if (f.deadLetter()) {
            taken.others().forEach(failures::remove);
            deadLetters.incrementAndGet();
            LOG.error("Route {}'s steps failed on the record at {} offset {} alone {} times: {}. It goes to the dead letters with "
                    + "that reason; the records after it are offered to the steps again", routeId, partition(suspect),
                    suspect.offset(), f.alone(), reason);
        } else {
            LOG.error("Route {}'s steps failed on the record at {} offset {} alone (attempt {} of {}): {}. It is fetched again",
                    routeId, partition(suspect), suspect.offset(), f.alone(), ATTEMPTS, reason);
        }
    }

    /** The batch's records not written before (change events, tombstones, dead letters: the steps see them all). */
    private static List<Position> positions(ChangeEventBatch batch) {
        List<Position> positions = new ArrayList<>();
        for (int i = 0; i < batch.itemCount(); i++) {
            ChangeEventBatch.Item item = batch.item(i);
            if (!(item.read() instanceof ChangeEventBatch.Written)) {
                positions.add(new Position(item.topic(), item.partition(), item.offset()));
            }
        }
        return positions;
    }

    private static Position position(Exchange record) {
        var m = record.getMessage();
        return new Position(m.getHeader(KafkaConstants.TOPIC, String.class), m.getHeader(KafkaConstants.PARTITION, Integer.class),
                m.getHeader(KafkaConstants.OFFSET, Long.class));
    }

    private static boolean samePartition(Position a, Position b) {
        return a.partition() == b.partition() && a.topic().equals(b.topic());
    }

    private static String partition(Position p) {
        return p.topic() + "-" + p.partition();
    }
}
