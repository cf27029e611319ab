package dev.keel.os.image;

import dev.keel.os.archive.FileTrees;
import dev.keel.os.archive.Syscalls;
import dev.keel.os.archive.TarExtractor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Images, their config blobs, layer tars and unpacked layers under {@code <data-root>/image}. It knows
 * nothing of tags. Layers are reference-counted by the images that use them: an unpacked layer lives while one
 * image's chain includes it and is removed with the last one. A layer's tar is kept as a blob named by its
 * diff id, so {@code docker save} gives back the exact bytes that were loaded.
 *
 * <p>Methods are synchronized: a store is used by one daemon, and its operations are file-system bound.
 */
public final class ImageStore {
    private final ImageSettings settings;
    private final ImageJson json;
    private final BlobStore blobs;
    private final LayerStore layers;
    private final Path images;
    private final Map<Digest, StoredImage> byId = new TreeMap<>();

    public ImageStore(ImageSettings settings, Syscalls sys, ImageJson json) throws IOException {
        this.settings = settings;
        this.json = json;
        Path imageDir = settings.imageDir();
        this.blobs = new BlobStore(imageDir);
        this.layers = new LayerStore(imageDir, new TarExtractor(sys));
        this.images = Files.createDirectories(imageDir.resolve("images"));
        // Whatever is in tmp was being written when the previous daemon stopped.
        FileTrees.deleteRecursively(blobs.tmpDir());
        Files.createDirectories(blobs.tmpDir());
        try (Stream<Path> marks = Files.list(images)) {
            for (Path mark : marks.toList()) {
                Digest id = new Digest(mark.getFileName().toString());
                byId.put(id, stored(id, blobs.read(id, settings.maxJsonBytes())));
            }
        }
    }

    public ImageSettings settings() {
        return settings;
    }

    /** Stores an uncompressed layer tar as a blob; the result is its diff id. Nothing is unpacked yet. */
    public synchronized Digest addLayerTar(InputStream uncompressedTar) throws IOException {
        return blobs.write(uncompressedTar);
    }

    /**
     * Makes an image from its config JSON: every diff id must have been added with {@link #addLayerTar} or be
     * unpacked already. Missing layers are unpacked; if one fails (an unsafe archive, a full disk) the layers
     * unpacked by this call are removed again and the store is as before.
     */
    public synchronized StoredImage addImage(byte[] configJson) throws IOException {
        Digest id = Digest.of(configJson);
        StoredImage image = stored(id, configJson);
        if (byId.containsKey(id)) {
            return byId.get(id);
        }
        List<Digest> diffIds = image.config().diffIds();
        List<Digest> unpacked = new ArrayList<>();
        try {
            for (int i = 0; i < diffIds.size(); i++) {
                Digest chainId = image.chainIds().get(i);
                if (layers.contains(chainId)) {
                    continue;
                }
                Digest diffId = diffIds.get(i);
                if (!blobs.contains(diffId)) {
                    throw new InvalidImageException("layer " + diffId + " of image " + id + " is missing");
                }
                try (InputStream tar = blobs.open(diffId)) {
                    if (layers.ensure(chainId, diffId, tar)) {
                        unpacked.add(chainId);
                    }
                }
            }
            if (!blobs.write(configJson).equals(id)) {
                throw new IllegalStateException("config blob digest differs from the image id");
            }
            Path mark = images.resolve(id.hex());
            Files.writeString(mark, id.toString(), StandardCharsets.US_ASCII);
            BlobStore.syncDirectory(images);
        } catch (IOException | RuntimeException e) {
            for (Digest chainId : unpacked) {
                layers.delete(chainId);
            }
            throw e;
        }
        byId.put(id, image);
        return image;
    }

    public synchronized Optional<StoredImage> find(Digest id) {
        return Optional.ofNullable(byId.get(id));
    }

    public synchronized List<StoredImage> list() {
        return List.copyOf(byId.values());
    }

    /** The unpacked layer directories of an image, top layer first, as overlayfs wants its lowerdir. */
    public synchronized List<Path> layerDirsTopFirst(Digest id) throws NoSuchImageException {
        StoredImage image = require(id);
        List<Path> dirs = new ArrayList<>();
        for (Digest chainId : image.chainIds()) {
            dirs.add(layers.diffDir(chainId));
        }
        Collections.reverse(dirs);
        return dirs;
    }

    public synchronized byte[] configJson(Digest id) throws IOException {
        require(id);
        return blobs.read(id, settings.maxJsonBytes());
    }

    /** The uncompressed tar of a layer, by diff id; the caller closes it. */
    public synchronized InputStream openLayerTar(Digest diffId) throws IOException {
        return blobs.open(diffId);
    }

    public synchronized long layerTarSize(Digest diffId) throws IOException {
        return blobs.size(diffId);
    }

    /** Bytes of file content in the image's layers. */
    public synchronized long size(Digest id) throws IOException {
        long total = 0;
        for (Digest chainId : require(id).chainIds()) {
            total += layers.size(chainId);
        }
        return total;
    }

    /** How many images use the layer with this chain id. */
    public synchronized int references(Digest chainId) {
        int n = 0;
        for (StoredImage image : byId.values()) {
            if (image.chainIds().contains(chainId)) {
                n++;
            }
        }
        return n;
    }

    public synchronized boolean hasLayer(Digest chainId) {
        return layers.contains(chainId);
    }

    /** Removes an image and then whatever it alone referenced; returns the chain ids of removed layers. */
    public synchronized List<Digest> delete(Digest id) throws IOException {
        StoredImage image = require(id);
        Files.deleteIfExists(images.resolve(id.hex()));
        byId.remove(id);
        List<Digest> removed = new ArrayList<>();
        for (Digest chainId : image.chainIds()) {
            if (references(chainId) == 0 && layers.contains(chainId)) {
                layers.delete(chainId);
                removed.add(chainId);
            }
        }
        collectGarbage();
        return removed;
    }

    /**
     * Removes layers and blobs no image references and leftovers of interrupted writes; returns what was
     * removed (chain ids of layers, then blob digests).
     */
    public synchronized List<Digest> collectGarbage() throws IOException {
        Set<Digest> liveLayers = new HashSet<>();
        Set<Digest> liveBlobs = new HashSet<>();
        for (StoredImage image : byId.values()) {
            liveLayers.addAll(image.chainIds());
            liveBlobs.add(image.id());
            liveBlobs.addAll(image.config().diffIds());
        }
        List<Digest> removed = new ArrayList<>();
        for (Digest chainId : layers.all()) {
            if (!liveLayers.contains(chainId)) {
                layers.delete(chainId);
                removed.add(chainId);
            }
        }
        for (Digest blob : blobs.all()) {
            if (!liveBlobs.contains(blob)) {
                blobs.delete(blob);
                removed.add(blob);
            }
        }
        return removed;
    }

    /** Removes a blob added for an image that was then not made, unless an image uses it. */
    public synchronized void discardUnreferencedBlob(Digest digest) throws IOException {
        for (StoredImage image : byId.values()) {
            if (image.id().equals(digest) || image.config().diffIds().contains(digest)) {
                return;
            }
        }
        blobs.delete(digest);
    }

    /** A private scratch directory under the store for callers that spool archives; they delete it. */
    public Path newScratchDirectory() throws IOException {
        return Files.createTempDirectory(blobs.tmpDir(), "scratch-");
    }

    private StoredImage require(Digest id) throws NoSuchImageException {
        StoredImage image = byId.get(id);
        if (image == null) {
            throw new NoSuchImageException(id.toString());
        }
        return image;
    }

    private StoredImage stored(Digest id, byte[] configJson) throws InvalidImageException {
        ImageConfig config = json.read(configJson, ImageConfig.class);
        if (config.rootfs() == null || !"layers".equals(config.rootfs().type())) {
            throw new InvalidImageException("image config " + id + " has no rootfs of type layers");
        }
        try {
            return new StoredImage(id, config, chainIds(config.diffIds()));
        } catch (IllegalArgumentException e) {
            throw new InvalidImageException("image config " + id + ": " + e.getMessage());
        }
    }

    /** OCI chain ids: the first layer's is its diff id, then sha256 of "parent-chain-id diff-id". */
    public static List<Digest> chainIds(List<Digest> diffIds) {
        List<Digest> out = new ArrayList<>();
        Digest parent = null;
        for (Digest diffId : diffIds) {
            parent = parent == null ? diffId
                : Digest.of((parent + " " + diffId).getBytes(StandardCharsets.US_ASCII));
            out.add(parent);
        }
        return out;
    }
}
