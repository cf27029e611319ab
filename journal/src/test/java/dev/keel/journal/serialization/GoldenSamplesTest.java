package dev.keel.journal.serialization;

import dev.keel.journal.serialization.SampleTypes.Colour;
import dev.keel.journal.serialization.SampleTypes.Label;
import dev.keel.journal.serialization.SampleTypes.Painted;
import dev.keel.journal.serialization.SampleTypes.Renamed;
import dev.keel.journal.serialization.SampleTypes.RenamedV1Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GoldenSamplesTest {

    private static final KryoRegistry REGISTRY = r -> r.value(970, Colour.class)
        .value(971, Label.class)
        .message(972, Painted.class, 1)
        .message(973, Renamed.class, 2)
        .upcaster(973, 1, SampleTypes.RenamedV1.class, old -> new Renamed(old.id(), old.name(), "unknown"));

    private final KryoCodec codec = KryoCodec.of(List.of(REGISTRY));
    private final Painted painted = new Painted("c1", Instant.EPOCH, Colour.RED, List.of(new Label("k", "v")),
        Map.of(), Optional.empty(), new byte[0]);
    private final Renamed renamed = new Renamed("c1", "web", "alice");

    @TempDir
    Path folder;

    @Test
    void shouldPassWhenEverySampleMatchesItsFile() throws Exception {
        Files.write(folder.resolve("SampleTypes.Painted-v1"), codec.encode(painted));
        Files.write(folder.resolve("SampleTypes.Renamed-v2"), codec.encode(renamed));

        assertThatCode(() -> new GoldenSamples(codec, folder).verify(List.of(painted, renamed)))
            .doesNotThrowAnyException();
    }

    @Test
    void shouldFailWhenAShapeChangedWithoutANewVersion() throws Exception {
        Files.write(folder.resolve("SampleTypes.Painted-v1"), codec.encode(painted));
        byte[] olderShape = KryoCodec.of(List.of(r -> r.message(973, RenamedV1Message.class, 2)))
            .encode(new RenamedV1Message("c1", "web"));
        Files.write(folder.resolve("SampleTypes.Renamed-v2"), olderShape);

        assertThatThrownBy(() -> new GoldenSamples(codec, folder).verify(List.of(painted, renamed)))
            .isInstanceOf(AssertionError.class)
            .hasMessageContaining("a changed shape needs a new version");
    }

    @Test
    void shouldFailWhenARegisteredTypeHasNoSample() throws Exception {
        Files.write(folder.resolve("SampleTypes.Painted-v1"), codec.encode(painted));

        assertThatThrownBy(() -> new GoldenSamples(codec, folder).verify(List.of(painted)))
            .isInstanceOf(AssertionError.class)
            .hasMessageContaining("every registered message type has a golden sample");
    }

    @Test
    void shouldFailWhenAGoldenFileIsMissing() {
        assertThatThrownBy(() -> new GoldenSamples(codec, folder).verify(List.of(painted, renamed)))
            .isInstanceOf(AssertionError.class)
            .hasMessageContaining("golden sample of");
    }

    @Test
    void shouldReadOldVersionFilesThroughTheirUpcasters() throws Exception {
        Files.write(folder.resolve("SampleTypes.Painted-v1"), codec.encode(painted));
        Files.write(folder.resolve("SampleTypes.Renamed-v2"), codec.encode(renamed));
        byte[] version1 = KryoCodec.of(List.of(r -> r.message(973, RenamedV1Message.class, 1)))
            .encode(new RenamedV1Message("c1", "web"));
        Files.write(folder.resolve("SampleTypes.Renamed-v1"), version1);

        assertThatCode(() -> new GoldenSamples(codec, folder).verify(List.of(painted, renamed)))
            .doesNotThrowAnyException();
    }

    @Test
    void shouldFailWhenAnOldVersionFileCannotBeRead() throws Exception {
        Files.write(folder.resolve("SampleTypes.Painted-v1"), codec.encode(painted));
        Files.write(folder.resolve("SampleTypes.Renamed-v2"), codec.encode(renamed));
        Files.write(folder.resolve("SampleTypes.Painted-v7"), new byte[] {1});

        assertThatThrownBy(() -> new GoldenSamples(codec, folder).verify(List.of(painted, renamed)))
            .isInstanceOf(AssertionError.class)
            .hasMessageContaining("unknown Kryo manifest 972v7");
    }
}
