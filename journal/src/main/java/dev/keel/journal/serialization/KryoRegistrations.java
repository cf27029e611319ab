package dev.keel.journal.serialization;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The stable identity of every type the domain serializes.
 *
 * <p>Ids are written into journals that are kept forever: an id, once given, is never reused or
 * given to another type. Ids below {@link #FIRST_REGISTRY_ID} belong to the serializer itself (JDK
 * and Pekko types, see {@link KryoCodec}); 900–999 are journal's own test types; modules use 1000 up.
 *
 * <p>Kryo reads a record by the position of its components, so a record whose shape changes gets a
 * new {@code version}; the old shape stays as a record of its own with an {@link #upcaster} to the
 * current type, and journals written with the old version keep reading.
 */
public final class KryoRegistrations {

    public static final int FIRST_REGISTRY_ID = 900;

    /** A top-level type: its manifest is {@code <id>v<version>}. */
    record Message(int id, Class<?> type, int version) {
        String manifest() {
            return id + "v" + version;
        }
    }

    /** A type that only appears inside messages. */
    record Value(int id, Class<?> type) {
    }

    /** Reads an older version of message {@code id} and converts it to the current type. */
    record Upcaster(int id, int fromVersion, Class<?> oldShape, Function<Object, ?> toCurrent) {
        String manifest() {
            return id + "v" + fromVersion;
        }
    }

    private final Map<Integer, Class<?>> typesById = new HashMap<>();
    private final List<Message> messages = new ArrayList<>();
    private final List<Value> values = new ArrayList<>();
    private final List<Upcaster> upcasters = new ArrayList<>();

    public KryoRegistrations message(int id, Class<? extends KryoSerializable> type, int version) {
        if (version < 1) {
            throw new IllegalArgumentException("version of " + type.getName() + " must be >= 1: " + version);
        }
        claim(id, type);
        messages.add(new Message(id, type, version));
        return this;
    }

    public KryoRegistrations value(int id, Class<?> type) {
        claim(id, type);
        values.add(new Value(id, type));
        return this;
    }

    @SuppressWarnings("unchecked")
    public <O> KryoRegistrations upcaster(int id, int fromVersion, Class<O> oldShape,
                                          Function<O, ? extends KryoSerializable> toCurrent) {
        upcasters.add(new Upcaster(id, fromVersion, oldShape, (Function<Object, ?>) toCurrent));
        return this;
    }

    private void claim(int id, Class<?> type) {
        if (id < FIRST_REGISTRY_ID) {
            throw new IllegalArgumentException("Kryo id " + id + " of " + type.getName()
                + " is reserved for the serializer; registries use ids from " + FIRST_REGISTRY_ID);
        }
        Class<?> previous = typesById.putIfAbsent(id, type);
        if (previous != null) {
            throw new IllegalArgumentException("Kryo id " + id + " is given twice: to "
                + previous.getName() + " and to " + type.getName());
        }
    }

    List<Message> messages() {
        return messages;
    }

    List<Value> values() {
        return values;
    }

    List<Upcaster> upcasters() {
        return upcasters;
    }
}
