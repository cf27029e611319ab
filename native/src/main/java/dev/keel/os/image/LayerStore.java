package dev.keel.os.image;

import dev.keel.os.archive.FileTrees;
import dev.keel.os.archive.TarExtractor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Unpacked layers under {@code layers/<chain id hex>/diff}, each unpacked once and shared by every image whose
 * layer stack has the same chain. A layer is unpacked into a staging directory and renamed into place, so a
 * layer directory that exists is complete.
 */
final class LayerStore {
    private static final String STAGING_PREFIX = ".staging-";
    private final Path layers;
    private final TarExtractor extractor;

    LayerStore(Path imageDir, TarExtractor extractor) throws IOException {
        this.layers = imageDir.resolve("layers");
        this.extractor = extractor;
        Files.createDirectories(layers);
    }

    Path diffDir(Digest chainId) {
        return layers.resolve(chainId.hex()).resolve("diff");
    }

    boolean contains(Digest chainId) {
        return Files.isRegularFile(layers.resolve(chainId.hex()).resolve("diff-id"));
    }

    long size(Digest chainId) throws IOException {
        return Long.parseLong(Files.readString(layers.resolve(chainId.hex()).resolve("size")).strip());
    }

    /** Unpacks the layer tar unless this chain is already present; returns true when it unpacked. */
    boolean ensure(Digest chainId, Digest diffId, InputStream uncompressedTar) throws IOException {
        if (contains(chainId)) {
            return false;
        }
        Path staging = Files.createTempDirectory(layers, STAGING_PREFIX);
        try {
            Path diff = Files.createDirectory(staging.resolve("diff"));
            TarExtractor.Summary summary = extractor.extract(uncompressedTar, diff,
                TarExtractor.WhiteoutHandling.OVERLAY);
            Files.writeString(staging.resolve("size"), Long.toString(summary.bytes()), StandardCharsets.US_ASCII);
            Files.writeString(staging.resolve("diff-id"), diffId.toString(), StandardCharsets.US_ASCII);
            Files.move(staging, layers.resolve(chainId.hex()), StandardCopyOption.ATOMIC_MOVE);
            BlobStore.syncDirectory(layers);
            return true;
        } finally {
            FileTrees.deleteRecursively(staging);
        }
    }

    void delete(Digest chainId) throws IOException {
        FileTrees.deleteRecursively(layers.resolve(chainId.hex()));
    }

    /** Complete layers by chain id; leftover staging directories of an interrupted unpack are removed. */
    Set<Digest> all() throws IOException {
        Set<Digest> out = new HashSet<>();
        try (Stream<Path> dirs = Files.list(layers)) {
            for (Path dir : dirs.toList()) {
                String name = dir.getFileName().toString();
                if (name.startsWith(STAGING_PREFIX) || !Files.isRegularFile(dir.resolve("diff-id"))) {
                    FileTrees.deleteRecursively(dir);
                } else {
                    out.add(new Digest(name));
                }
            }
        }
        return out;
    }
}
