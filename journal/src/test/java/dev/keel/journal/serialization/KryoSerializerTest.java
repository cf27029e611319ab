package dev.keel.journal.serialization;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KryoSerializerTest {

    private static final ActorTestKit TESTKIT = ActorTestKit.create(ConfigFactory.parseString(
        "keel.journal.kryo.registries.samples = \"dev.keel.journal.serialization.SampleTypes$Registry\"")
        .withFallback(ConfigFactory.load()));

    @AfterAll
    static void stop() {
        TESTKIT.shutdownTestKit();
    }

    @Test
    void shouldBeBoundToEveryKryoSerializable() {
        Serialization serialization = SerializationExtension.get(TESTKIT.system());

        assertThat(serialization.findSerializerFor(new SampleTypes.Renamed("c1", "web", "alice")))
            .isInstanceOf(KryoSerializer.class);
    }

    @Test
    void shouldCarryTypedActorRefsThroughTheResolver() {
        Serialization serialization = SerializationExtension.get(TESTKIT.system());
        ActorRef<String> replyTo = TESTKIT.<String>createTestProbe().ref();
        SampleTypes.Ask ask = new SampleTypes.Ask("state?", replyTo);

        byte[] bytes = serialization.serialize(ask).get();
        var serializer = serialization.findSerializerFor(ask);
        Object back = serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, ask)).get();

        assertThat(back).isEqualTo(ask);
    }
}
