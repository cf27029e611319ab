package dev.keel.journal.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.typesafe.config.Config;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

import java.io.NotSerializableException;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Pekko's serializer for every {@link KryoSerializable}: events and snapshots in the journal,
 * commands and replies between nodes. The registries come from {@code keel.journal.kryo.registries}.
 */
public final class KryoSerializer extends SerializerWithStringManifest {

    /** Pekko's id for this serializer; written next to every journaled payload, so it never changes. */
    public static final int IDENTIFIER = 7301;

    private final KryoCodec codec;

    public KryoSerializer(ExtendedActorSystem system) {
        this.codec = KryoCodec.of(registries(system), new ActorRefSerializer(ActorRefResolver.get(Adapter.toTyped(system))));
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public String manifest(Object o) {
        return codec.manifest(o);
    }

    @Override
    public byte[] toBinary(Object o) {
        return codec.encode(o);
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        return codec.decode(bytes, manifest);
    }

    private static List<KryoRegistry> registries(ExtendedActorSystem system) {
        List<KryoRegistry> registries = new ArrayList<>();
        Config byModule = system.settings().config().getConfig("keel.journal.kryo.registries");
        for (String className : new TreeMap<>(byModule.root().unwrapped()).values().stream().map(String::valueOf).toList()) {
            try {
                Class<?> type = Class.forName(className, true, system.dynamicAccess().classLoader());
                registries.add((KryoRegistry) type.getDeclaredConstructor().newInstance());
            } catch (ClassNotFoundException | NoSuchMethodException | InstantiationException
                     | IllegalAccessException | InvocationTargetException | ClassCastException e) {
                throw new IllegalStateException("keel.journal.kryo.registries names " + className
                    + ", which is not a KryoRegistry with a public no-argument constructor", e);
            }
        }
        return registries;
    }

    /** A typed actor reference travels as its serialization format and is resolved on arrival. */
    private static final class ActorRefSerializer extends Serializer<ActorRef<?>> {
        private final ActorRefResolver resolver;

        ActorRefSerializer(ActorRefResolver resolver) {
            this.resolver = resolver;
        }

        @Override
        public void write(Kryo kryo, Output output, ActorRef<?> ref) {
            output.writeString(resolver.toSerializationFormat(ref));
        }

        @Override
        public ActorRef<?> read(Kryo kryo, Input input, Class<? extends ActorRef<?>> type) {
            return resolver.resolveActorRef(input.readString());
        }
    }
}
