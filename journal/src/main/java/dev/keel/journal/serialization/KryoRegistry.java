package dev.keel.journal.serialization;

/**
 * One module's Kryo registrations. Implementations have a public no-argument constructor and are
 * named in {@code keel.journal.kryo.registries}, so the serializer finds them without scanning.
 */
public interface KryoRegistry {

    void registerInto(KryoRegistrations registrations);
}
