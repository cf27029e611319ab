package dev.keel.journal.serialization;

import org.apache.pekko.actor.typed.ActorRef;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Types of the serializer's own tests, with ids from journal's test range 900–999. */
final class SampleTypes {

    enum Colour { RED, GREEN }

    record Label(String key, String value) {
    }

    record Painted(String id, Instant at, Colour colour, List<Label> labels, Map<String, Integer> counts,
                   Optional<String> note, byte[] digest) implements KryoSerializable {
        Painted {
            labels = List.copyOf(labels);
            counts = Map.copyOf(counts);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Painted p && id.equals(p.id) && at.equals(p.at) && colour == p.colour
                && labels.equals(p.labels) && counts.equals(p.counts) && note.equals(p.note)
                && java.util.Arrays.equals(digest, p.digest);
        }

        @Override
        public int hashCode() {
            return id.hashCode();
        }
    }

    /** Version 1 of {@link Renamed}: before {@code by} was added. */
    record RenamedV1(String id, String name) {
    }

    /** Version 2: adds who renamed. */
    record Renamed(String id, String name, String by) implements KryoSerializable {
    }

    record Ask(String question, ActorRef<String> replyTo) implements KryoSerializable {
    }

    record Unregistered(String id) {
    }

    record Wrapper(Object inner) implements KryoSerializable {
    }

    static final class Registry implements KryoRegistry {
        @Override
        public void registerInto(KryoRegistrations r) {
            r.value(900, Colour.class)
                .value(901, Label.class)
                .message(902, Painted.class, 1)
                .message(903, Renamed.class, 2)
                .upcaster(903, 1, RenamedV1.class, old -> new Renamed(old.id(), old.name(), "unknown"))
                .message(904, Ask.class, 1)
                .message(905, Wrapper.class, 1);
        }
    }

    /** Journal version 1 knew only the old shape of {@link Renamed}, under the same id. */
    static final class FirstRegistry implements KryoRegistry {
        @Override
        public void registerInto(KryoRegistrations r) {
            r.message(903, RenamedV1Message.class, 1);
        }
    }

    record RenamedV1Message(String id, String name) implements KryoSerializable {
    }

    private SampleTypes() {
    }
}
