package dev.keel.journal.store;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.PersistentRepr$;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/** Turns Pekko's PersistentRepr into an {@link EventRecord} and back, through Pekko's Serialization extension. */
public final class PersistentReprCodec {

    private final Serialization serialization;

    public PersistentReprCodec(Serialization serialization) {
        this.serialization = serialization;
    }

    public EventRecord toRecord(PersistentRepr repr, long timestampMillis) {
        Object payload = repr.payload();
        List<String> tags = List.of();
        if (payload instanceof Tagged tagged) {
            payload = tagged.payload();
            tags = new ArrayList<>(tagged.tags().size());
            scala.collection.Iterator<String> it = tagged.tags().iterator();
            while (it.hasNext()) {
                tags.add(it.next());
            }
        }
        Serializer serializer = serialization.findSerializerFor(payload);
        String manifest = Serializers.manifestFor(serializer, payload);
        byte[] bytes = serializer.toBinary(payload);
        long timestamp = repr.timestamp() > 0 ? repr.timestamp() : timestampMillis;
        return new EventRecord(repr.persistenceId(), repr.sequenceNr(), timestamp, repr.writerUuid(), repr.manifest(),
            serializer.identifier(), manifest, tags, bytes);
    }

    public Object payload(EventRecord record) {
        return serialization.deserialize(record.payload(), record.serializerId(), record.serializerManifest()).get();
    }

    public PersistentRepr toRepr(EventRecord record) {
        return PersistentRepr$.MODULE$.apply(payload(record), record.sequenceNr(), record.persistenceId(),
                record.adapterManifest(), false, ActorRef.noSender(), record.writerUuid())
            .withTimestamp(record.timestampMillis());
    }
}
