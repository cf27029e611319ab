package dev.keel.journal.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.DefaultSerializers;
import com.esotericsoftware.kryo.serializers.ImmutableCollectionsSerializers;
import com.esotericsoftware.kryo.serializers.OptionalSerializers;
import com.esotericsoftware.kryo.serializers.TimeSerializers;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import com.esotericsoftware.kryo.util.Pool;
import org.apache.pekko.actor.typed.ActorRef;

import java.io.NotSerializableException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Encodes and decodes the domain's {@link KryoSerializable} types with Kryo, by manifest
 * {@code <id>v<version>}. Thread-safe: Kryo instances come from a pool.
 *
 * <p>The serializer's own ids never change; add new ones below {@link KryoRegistrations#FIRST_REGISTRY_ID}
 * only after the last one here.
 */
public final class KryoCodec {

    private static final int POOL_SIZE = 32;

    private final List<KryoRegistrations.Message> messages;
    private final List<KryoRegistrations.Value> values;
    private final Map<Class<?>, String> manifestByType;
    private final Map<String, KryoRegistrations.Message> messageByManifest;
    private final Map<String, KryoRegistrations.Upcaster> upcasterByManifest;
    private final Serializer<ActorRef<?>> actorRefs;
    private final Pool<Kryo> pool;

    private KryoCodec(List<KryoRegistry> registries, Serializer<ActorRef<?>> actorRefs) {
        KryoRegistrations registrations = new KryoRegistrations();
        registries.forEach(r -> r.registerInto(registrations));
        this.messages = List.copyOf(registrations.messages());
        this.values = List.copyOf(registrations.values());
        this.actorRefs = actorRefs;

        Map<Class<?>, String> byType = new HashMap<>();
        Map<String, KryoRegistrations.Message> byManifest = new HashMap<>();
        Map<Integer, KryoRegistrations.Message> byId = new HashMap<>();
        for (KryoRegistrations.Message m : messages) {
            byType.put(m.type(), m.manifest());
            byManifest.put(m.manifest(), m);
            byId.put(m.id(), m);
        }
        Map<String, KryoRegistrations.Upcaster> upcasters = new HashMap<>();
        for (KryoRegistrations.Upcaster u : registrations.upcasters()) {
            KryoRegistrations.Message current = byId.get(u.id());
            if (current == null || u.fromVersion() >= current.version()) {
                throw new IllegalArgumentException("upcaster " + u.manifest() + " (" + u.oldShape().getName()
                    + ") has no newer registered message with id " + u.id());
            }
            if (upcasters.put(u.manifest(), u) != null) {
                throw new IllegalArgumentException("two upcasters for manifest " + u.manifest());
            }
        }
        this.manifestByType = Map.copyOf(byType);
        this.messageByManifest = Map.copyOf(byManifest);
        this.upcasterByManifest = Map.copyOf(upcasters);
        this.pool = new Pool<>(true, false, POOL_SIZE) {
            @Override
            protected Kryo create() {
                return newKryo();
            }
        };
        pool.free(pool.obtain()); // fail at construction, not at first use, if a registration is wrong
    }

    /** A codec for the given registries; typed actor references cannot be encoded. */
    public static KryoCodec of(List<KryoRegistry> registries) {
        return new KryoCodec(registries, null);
    }

    /** A codec that encodes typed actor references with the given serializer. */
    static KryoCodec of(List<KryoRegistry> registries, Serializer<ActorRef<?>> actorRefs) {
        return new KryoCodec(registries, actorRefs);
    }

    public String manifest(Object message) {
        String manifest = manifestByType.get(message.getClass());
        if (manifest == null) {
            throw new IllegalArgumentException("no Kryo registration for " + message.getClass().getName()
                + ": add it to its module's KryoRegistry");
        }
        return manifest;
    }

    public byte[] encode(Object message) {
        manifest(message);
        Kryo kryo = pool.obtain();
        try (Output output = new Output(256, -1)) {
            kryo.writeObject(output, message);
            return output.toBytes();
        } finally {
            pool.free(kryo);
        }
    }

    public Object decode(byte[] bytes, String manifest) throws NotSerializableException {
        KryoRegistrations.Message message = messageByManifest.get(manifest);
        KryoRegistrations.Upcaster upcaster = message == null ? upcasterByManifest.get(manifest) : null;
        if (message == null && upcaster == null) {
            throw new NotSerializableException("unknown Kryo manifest " + manifest
                + " (a journal written by a newer Keel, or a registration that was removed)");
        }
        Kryo kryo = pool.obtain();
        try (Input input = new Input(bytes)) {
            if (message != null) {
                return kryo.readObject(input, message.type());
            }
            return upcaster.toCurrent().apply(kryo.readObject(input, upcaster.oldShape()));
        } catch (KryoException e) {
            NotSerializableException failure = new NotSerializableException(
                "cannot decode manifest " + manifest + " (" + bytes.length + " bytes): " + e.getMessage());
            failure.initCause(e);
            throw failure;
        } finally {
            pool.free(kryo);
        }
    }

    /** Every current top-level type with its manifest, for completeness checks. */
    public Map<Class<?>, String> messageManifests() {
        return manifestByType;
    }

    private Kryo newKryo() {
        Kryo kryo = new Kryo(new ActorRefClassResolver(), null);
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        kryo.setClassLoader(KryoCodec.class.getClassLoader());
        ImmutableCollectionsSerializers.addDefaultSerializers(kryo);

        // The serializer's own ids: never change or reuse one.
        kryo.register(byte[].class, 10);
        kryo.register(Instant.class, new TimeSerializers.InstantSerializer(), 11);
        kryo.register(Duration.class, new TimeSerializers.DurationSerializer(), 12);
        kryo.register(Optional.class, new OptionalSerializers.OptionalSerializer(), 13);
        kryo.register(List.of().getClass(), 14);
        kryo.register(List.of(1).getClass(), 15);
        kryo.register(Set.of().getClass(), 16);
        kryo.register(Set.of(1).getClass(), 17);
        kryo.register(Map.of().getClass(), 18);
        kryo.register(Map.of(1, 1).getClass(), 19);
        kryo.register(ArrayList.class, 20);
        kryo.register(HashMap.class, 21);
        kryo.register(LinkedHashMap.class, 22);
        kryo.register(TreeMap.class, 23);
        kryo.register(HashSet.class, 24);
        kryo.register(LinkedHashSet.class, 25);
        kryo.register(TreeSet.class, 26);
        kryo.register(UUID.class, new DefaultSerializers.UUIDSerializer(), 27);
        kryo.register(String[].class, 28);
        kryo.register(long[].class, 29);
        kryo.register(int[].class, 30);
        kryo.register(Collections.emptyList().getClass(), 31);
        kryo.register(Collections.emptyMap().getClass(), 32);
        if (actorRefs != null) {
            kryo.register(ActorRef.class, actorRefs, 40);
        }

        for (KryoRegistrations.Value v : values) {
            kryo.register(v.type(), v.id());
        }
        for (KryoRegistrations.Message m : messages) {
            kryo.register(m.type(), m.id());
        }
        // Old shapes are only ever read as the top-level object, so their ids never reach the bytes.
        for (KryoRegistrations.Upcaster u : upcasterByManifest.values()) {
            if (kryo.getClassResolver().getRegistration(u.oldShape()) == null) {
                kryo.register(u.oldShape());
            }
        }
        return kryo;
    }

    /** Every implementation of a typed {@link ActorRef} is written as the one registered interface. */
    private static final class ActorRefClassResolver extends DefaultClassResolver {
        @Override
        public Registration getRegistration(Class type) {
            Registration registration = super.getRegistration(type);
            if (registration == null && ActorRef.class.isAssignableFrom(type)) {
                return super.getRegistration(ActorRef.class);
            }
            return registration;
        }
    }
}
