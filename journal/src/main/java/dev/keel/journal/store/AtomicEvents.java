package dev.keel.journal.store;

import java.util.List;

/** Pekko's AtomicWrite as the writer sees it: the events of one persistence id, committed all or nothing. */
public record AtomicEvents(String persistenceId, List<PreparedEvent> events) {

    public AtomicEvents {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("an atomic write holds at least one event");
        }
    }

    long highestSequenceNr() {
        return events.get(events.size() - 1).sequenceNr();
    }
}
