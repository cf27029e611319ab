package dev.keel.journal.serialization;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks serialized samples against golden files, so a change that would break an existing journal
 * fails the build. A golden file is named {@code <Outer.Inner>-v<version>} and holds the bytes of one
 * sample; set {@code -Dkeel.golden.write=true} to write the files that are missing (never to overwrite).
 */
public final class GoldenSamples {

    private final KryoCodec codec;
    private final Path folder;

    public GoldenSamples(KryoCodec codec, Path folder) {
        this.codec = codec;
        this.folder = folder;
    }

    public void verify(List<? extends KryoSerializable> samples) {
        Set<Class<?>> sampled = new HashSet<>();
        for (KryoSerializable sample : samples) {
            sampled.add(sample.getClass());
            verifyCurrent(sample);
        }
        assertThat(codec.messageManifests().keySet())
            .as("every registered message type has a golden sample")
            .isSubsetOf(sampled);
        verifyEveryFileDecodes();
    }

    private void verifyCurrent(KryoSerializable sample) {
        String manifest = codec.manifest(sample);
        Path file = folder.resolve(fileName(sample.getClass(), version(manifest)));
        byte[] bytes = codec.encode(sample);
        if (!Files.exists(file) && Boolean.getBoolean("keel.golden.write")) {
            write(file, bytes);
        }
        assertThat(file).as("golden sample of %s (write it with -Dkeel.golden.write=true)", sample.getClass().getName())
            .exists();
        byte[] golden = read(file);
        assertThat(bytes).as("%s serializes as its golden sample %s; a changed shape needs a new version", sample.getClass().getName(), file)
            .isEqualTo(golden);
        assertThat(decode(golden, manifest)).as("golden sample %s decodes to the sample", file)
            .isEqualTo(sample);
    }

    /** Old versions stay readable: each file decodes, through its upcaster when it is not current. */
    private void verifyEveryFileDecodes() {
        Map<String, Class<?>> typeByName = new HashMap<>();
        codec.messageManifests().forEach((type, manifest) -> typeByName.put(displayName(type), type));
        List<Path> files = new ArrayList<>();
        try (Stream<Path> listing = Files.list(folder)) {
            listing.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            int dash = name.lastIndexOf("-v");
            assertThat(dash).as("golden file name %s is <Type>-v<version>", name).isPositive();
            Class<?> type = typeByName.get(name.substring(0, dash));
            assertThat(type).as("golden file %s names a registered message type", name).isNotNull();
            String current = codec.messageManifests().get(type);
            String manifest = current.substring(0, current.indexOf('v') + 1) + name.substring(dash + 2);
            assertThat(decode(read(file), manifest)).as("golden file %s decodes", name).isInstanceOf(type);
        }
    }

    private Object decode(byte[] bytes, String manifest) {
        try {
            return codec.decode(bytes, manifest);
        } catch (NotSerializableException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    static String fileName(Class<?> type, int version) {
        return displayName(type) + "-v" + version;
    }

    private static String displayName(Class<?> type) {
        return type.getName().substring(type.getPackageName().length() + 1).replace('$', '.');
    }

    private static int version(String manifest) {
        return Integer.parseInt(manifest.substring(manifest.indexOf('v') + 1));
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
