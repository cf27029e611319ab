package dev.keel.journal.serialization;

import dev.keel.journal.serialization.SampleTypes.Colour;
import dev.keel.journal.serialization.SampleTypes.Label;
import dev.keel.journal.serialization.SampleTypes.Painted;
import dev.keel.journal.serialization.SampleTypes.Renamed;
import dev.keel.journal.serialization.SampleTypes.RenamedV1Message;
import org.junit.jupiter.api.Test;

import java.io.NotSerializableException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KryoCodecTest {

    private final KryoCodec codec = KryoCodec.of(List.of(new SampleTypes.Registry()));

    private static Painted painted() {
        return new Painted("c1", Instant.parse("2026-11-28T14:02:00.123456789Z"), Colour.GREEN,
            List.of(new Label("a", "1"), new Label("b", "2"), new Label("c", "3")),
            Map.of("x", 1, "y", 2), Optional.of("note"), new byte[] {1, 2, 3});
    }

    @Test
    void shouldRoundTripRecordsWithNestedValuesAndJdkTypes() throws Exception {
        Painted sample = painted();

        Object decoded = codec.decode(codec.encode(sample), codec.manifest(sample));

        assertThat(decoded).isEqualTo(sample);
    }

    @Test
    void shouldNameIdAndVersionInTheManifest() {
        assertThat(codec.manifest(new Renamed("c1", "web", "alice"))).isEqualTo("903v2");
    }

    @Test
    void shouldReadAnOldVersionThroughItsUpcaster() throws Exception {
        KryoCodec first = KryoCodec.of(List.of(new SampleTypes.FirstRegistry()));
        RenamedV1Message old = new RenamedV1Message("c1", "web");
        byte[] oldBytes = first.encode(old);

        Object decoded = codec.decode(oldBytes, first.manifest(old));

        assertThat(first.manifest(old)).isEqualTo("903v1");
        assertThat(decoded).isEqualTo(new Renamed("c1", "web", "unknown"));
    }

    @Test
    void shouldRefuseAnUnknownManifestClearly() {
        assertThatThrownBy(() -> codec.decode(new byte[] {1}, "999v1"))
            .isInstanceOf(NotSerializableException.class)
            .hasMessageContaining("unknown Kryo manifest 999v1");
    }

    @Test
    void shouldRefuseTruncatedBytesClearly() {
        Painted sample = painted();
        byte[] bytes = codec.encode(sample);
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length / 2);

        assertThatThrownBy(() -> codec.decode(truncated, "902v1"))
            .isInstanceOf(NotSerializableException.class)
            .hasMessageContaining("cannot decode manifest 902v1");
    }

    @Test
    void shouldRefuseToEncodeAnUnregisteredTopLevelType() {
        assertThatThrownBy(() -> codec.encode(new SampleTypes.Unregistered("x")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("no Kryo registration for");
    }

    @Test
    void shouldRefuseToEncodeAnUnregisteredNestedType() {
        assertThatThrownBy(() -> codec.encode(new SampleTypes.Wrapper(new SampleTypes.Unregistered("x"))))
            .hasMessageContaining("Class is not registered")
            .hasMessageContaining("Unregistered");
    }

    @Test
    void shouldRefuseAnIdGivenTwice() {
        KryoRegistry twice = r -> r.value(950, Label.class).value(950, Colour.class);

        assertThatThrownBy(() -> KryoCodec.of(List.of(twice)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("Kryo id 950 is given twice");
    }

    @Test
    void shouldRefuseAnIdReservedForTheSerializer() {
        KryoRegistry reserved = r -> r.value(14, Label.class);

        assertThatThrownBy(() -> KryoCodec.of(List.of(reserved)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("reserved");
    }

    @Test
    void shouldRefuseAnUpcasterWithoutANewerVersion() {
        KryoRegistry stale = r -> r.message(960, Renamed.class, 1)
            .upcaster(960, 1, SampleTypes.RenamedV1.class, old -> new Renamed(old.id(), old.name(), "?"));

        assertThatThrownBy(() -> KryoCodec.of(List.of(stale)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("no newer registered message");
    }
}
