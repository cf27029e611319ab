package dev.keel.journal.bench;

import dev.keel.journal.serialization.KryoRegistrations;
import dev.keel.journal.serialization.KryoRegistry;

/** The bench's own event; ids 950 up of journal's test range belong to the bench and are never reused. */
public final class BenchKryoRegistry implements KryoRegistry {

    @Override
    public void registerInto(KryoRegistrations registrations) {
        registrations.message(950, BenchEntity.Persisted.class, 1);
    }
}
