package dev.keel.os.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.os.archive.ArchiveEscapeException;
import dev.keel.os.archive.EntryPath;
import dev.keel.os.archive.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * {@code docker load} and {@code docker save}. Loading spools the archive's files into a scratch directory
 * under numbered names (an entry's name never becomes a host path), then reads manifest.json (docker-archive)
 * or index.json (OCI layout), checks every digest, and adds layers and configs to the store. A load either stores
 * every image of the archive or, when one is invalid, none: the images it added are removed again.
 */
public final class ImageArchives {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    private static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    private static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    private static final String CONTAINERD_NAME = "io.containerd.image.name";
    private static final String OCI_REF_NAME = "org.opencontainers.image.ref.name";

    private final ImageCatalog catalog;
    private final ImageJson json;

    public ImageArchives(ImageCatalog catalog, ImageJson json) {
        this.catalog = catalog;
        this.json = json;
    }

    public LoadResult load(InputStream archive) throws IOException {
        ImageStore store = catalog.store();
        Path scratch = store.newScratchDirectory();
        Loading loading = new Loading();
        try {
            Map<String, Path> files = spool(LayerStreams.uncompressed(archive), scratch);
            if (files.containsKey("manifest.json")) {
                loadDockerArchive(files, loading);
            } else if (files.containsKey("index.json")) {
                loadOciIndex(files, readJson(files, "index.json"), loading);
            } else {
                throw new InvalidImageException("invalid archive: neither manifest.json nor index.json found");
            }
            return loading.result();
        } catch (IOException | RuntimeException e) {
            for (Digest id : loading.added) {
                try {
                    store.delete(id);
                } catch (IOException | RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        } finally {
            FileTrees.deleteRecursively(scratch);
        }
    }

    /** The images of one load so far, and which of them it added to the store. */
    private static final class Loading {
        private final Map<Digest, List<ImageReference>> images = new LinkedHashMap<>();
        private final List<Digest> added = new ArrayList<>();

        void image(Digest id, boolean isNew) {
            images.computeIfAbsent(id, i -> new ArrayList<>());
            if (isNew) {
                added.add(id);
            }
        }

        void reference(Digest id, ImageReference ref) {
            List<ImageReference> refs = images.get(id);
            if (!refs.contains(ref)) {
                refs.add(ref);
            }
        }

        LoadResult result() {
            List<LoadResult.Image> out = new ArrayList<>();
            images.forEach((id, refs) -> out.add(new LoadResult.Image(id, refs)));
            return new LoadResult(out);
        }
    }

    private Map<String, Path> spool(InputStream tar, Path scratch) throws IOException {
        Map<String, Path> files = new HashMap<>();
        Map<String, String> links = new LinkedHashMap<>();
        TarArchiveInputStream in = new TarArchiveInputStream(tar);
        TarArchiveEntry entry;
        int n = 0;
        while ((entry = nextEntry(in)) != null) {
            EntryPath name = EntryPath.parse(entry.getName());
            if (name == null || entry.isDirectory()) {
                continue;
            }
            if (entry.isSymbolicLink() || entry.isLink()) {
                // Old docker-archives share a layer between images by linking layer.tar files.
                String target = entry.isLink() ? entry.getLinkName()
                    : String.join("/", name.parents()) + "/" + entry.getLinkName();
                links.put(name.toString(), normalise(target, entry.getName()));
            } else if (entry.isFile()) {
                Path file = scratch.resolve(Integer.toString(n++));
                Files.copy(in, file);
                files.put(name.toString(), file);
            }
        }
        for (Map.Entry<String, String> link : links.entrySet()) {
            Path target = files.get(link.getValue());
            if (target != null) {
                files.put(link.getKey(), target);
            }
        }
        return files;
    }

    private static TarArchiveEntry nextEntry(TarArchiveInputStream in) throws InvalidImageException {
        try {
            return in.getNextEntry();
        } catch (IOException e) {
            throw new InvalidImageException("invalid archive: " + e.getMessage());
        }
    }

    private static String normalise(String target, String entryName) throws ArchiveEscapeException {
        if (target.startsWith("/")) {
            throw new ArchiveEscapeException("archive entry '" + entryName + "' links to an absolute path");
        }
        List<String> parts = new ArrayList<>();
        for (String part : target.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new ArchiveEscapeException("archive entry '" + entryName + "' links outside the archive");
                }
                parts.remove(parts.size() - 1);
            } else {
                parts.add(part);
            }
        }
        return String.join("/", parts);
    }

    private void loadDockerArchive(Map<String, Path> files, Loading loading) throws IOException {
        JsonNode manifest = readJson(files, "manifest.json");
        if (!manifest.isArray()) {
            throw new InvalidImageException("invalid manifest.json: not a list");
        }
        for (JsonNode item : manifest) {
            List<ImageReference> refs = new ArrayList<>();
            for (JsonNode tag : item.path("RepoTags")) {
                refs.add(reference(tag.asText()));
            }
            byte[] config = readBytes(files, item.path("Config").asText());
            List<Path> layerFiles = new ArrayList<>();
            for (JsonNode layer : item.path("Layers")) {
                layerFiles.add(require(files, layer.asText()));
            }
            Digest id = addImage(config, layerFiles, loading);
            refs.forEach(ref -> loading.reference(id, ref));
        }
    }

    private static ImageReference reference(String text) throws InvalidImageException {
        try {
            return ImageReference.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidImageException("invalid archive: image name \"" + text + "\": " + e.getMessage());
        }
    }

    private void loadOciIndex(Map<String, Path> files, JsonNode index, Loading loading) throws IOException {
        for (JsonNode descriptor : index.path("manifests")) {
            String mediaType = descriptor.path("mediaType").asText();
            byte[] content = readBlob(files, descriptor);
            JsonNode node = json.mapper().readTree(content);
            if (mediaType.equals(OCI_INDEX) || mediaType.equals(DOCKER_MANIFEST_LIST)) {
                loadOciIndex(files, node, loading);
                continue;
            }
            byte[] config = readBlob(files, node.path("config"));
            List<Path> layerFiles = new ArrayList<>();
            for (JsonNode layer : node.path("layers")) {
                Digest digest = Digest.parse(layer.path("digest").asText());
                Path file = require(files, "blobs/sha256/" + digest.hex());
                try (InputStream in = Files.newInputStream(file)) {
                    if (!digestOf(in).equals(digest)) {
                        throw new InvalidImageException("layer blob " + digest + " does not match its digest");
                    }
                }
                layerFiles.add(file);
            }
            String name = descriptor.path("annotations").path(CONTAINERD_NAME).asText(
                descriptor.path("annotations").path(OCI_REF_NAME).asText(""));
            ImageReference ref = name.contains("/") || name.contains(":") ? reference(name) : null;
            Digest id = addImage(config, layerFiles, loading);
            if (ref != null) {
                loading.reference(id, ref);
            }
        }
    }

    private Digest addImage(byte[] configJson, List<Path> layerFiles, Loading loading) throws IOException {
        ImageStore store = catalog.store();
        boolean isNew = store.find(Digest.of(configJson)).isEmpty();
        ImageConfig config = json.read(configJson, ImageConfig.class);
        List<Digest> expected = config.diffIds();
        if (expected.size() != layerFiles.size()) {
            throw new InvalidImageException("image config lists " + expected.size() + " layers but the archive has "
                + layerFiles.size());
        }
        List<Digest> added = new ArrayList<>();
        try {
            for (int i = 0; i < layerFiles.size(); i++) {
                Digest diffId;
                try (InputStream in = LayerStreams.uncompressed(Files.newInputStream(layerFiles.get(i)))) {
                    diffId = store.addLayerTar(in);
                }
                added.add(diffId);
                if (!diffId.equals(expected.get(i))) {
                    throw new InvalidImageException("layer " + i + " has diff id " + diffId + " but the config says "
                        + expected.get(i));
                }
            }
            Digest id = store.addImage(configJson).id();
            loading.image(id, isNew);
            return id;
        } catch (IOException | RuntimeException e) {
            for (Digest digest : added) {
                store.discardUnreferencedBlob(digest);
            }
            throw e;
        }
    }

    private byte[] readBlob(Map<String, Path> files, JsonNode descriptor) throws IOException {
        Digest digest = Digest.parse(descriptor.path("digest").asText());
        byte[] content = readBytes(files, "blobs/sha256/" + digest.hex());
        if (!Digest.of(content).equals(digest)) {
            throw new InvalidImageException("blob " + digest + " does not match its digest");
        }
        return content;
    }

    private JsonNode readJson(Map<String, Path> files, String name) throws IOException {
        try {
            return json.mapper().readTree(readBytes(files, name));
        } catch (IOException e) {
            throw new InvalidImageException("invalid " + name + ": " + e.getMessage());
        }
    }

    private byte[] readBytes(Map<String, Path> files, String name) throws IOException {
        Path file = require(files, name);
        long max = catalog.store().settings().maxJsonBytes();
        if (Files.size(file) > max) {
            throw new InvalidImageException(name + " is larger than " + max + " bytes");
        }
        return Files.readAllBytes(file);
    }

    private static Path require(Map<String, Path> files, String name) throws IOException {
        EntryPath path = EntryPath.parse(name);
        Path file = path == null ? null : files.get(path.toString());
        if (file == null) {
            throw new InvalidImageException("invalid archive: " + name + " is missing");
        }
        return file;
    }

    private static Digest digestOf(InputStream in) throws IOException {
        var sha = Digest.newSha256();
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
            sha.update(buf, 0, n);
        }
        return Digest.of(sha);
    }

    /** Writes the named images (references or ids) to {@code out} in {@code format}. */
    public void save(List<String> namesOrIds, ArchiveFormat format, OutputStream out) throws IOException {
        Map<Digest, Set<ImageReference>> images = new LinkedHashMap<>();
        for (String name : namesOrIds) {
            StoredImage image = catalog.resolve(name);
            Set<ImageReference> refs = images.computeIfAbsent(image.id(), id -> new LinkedHashSet<>());
            if (!isId(name, image.id())) {
                refs.add(ImageReference.parse(name));
            }
        }
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        if (format == ArchiveFormat.DOCKER_ARCHIVE) {
            saveDockerArchive(images, tar);
        } else {
            saveOciLayout(images, tar);
        }
        tar.finish();
        tar.flush();
    }

    private static boolean isId(String name, Digest id) {
        String hex = name.startsWith("sha256:") ? name.substring(7) : name;
        return id.hex().startsWith(hex);
    }

    private void saveDockerArchive(Map<Digest, Set<ImageReference>> images, TarArchiveOutputStream tar)
        throws IOException {
        ImageStore store = catalog.store();
        ArrayNode manifest = json.mapper().createArrayNode();
        Map<String, Map<String, String>> repositories = new TreeMap<>();
        Set<Digest> written = new LinkedHashSet<>();
        for (Map.Entry<Digest, Set<ImageReference>> e : images.entrySet()) {
            Digest id = e.getKey();
            StoredImage image = store.find(id).orElseThrow();
            writeBytes(tar, id.hex() + ".json", store.configJson(id));
            ObjectNode item = manifest.addObject();
            item.put("Config", id.hex() + ".json");
            ArrayNode repoTags = item.putArray("RepoTags");
            for (ImageReference ref : e.getValue()) {
                if (ref.tag() != null) {
                    repoTags.add(ref.familiar());
                    repositories.computeIfAbsent(ref.familiarRepository(), r -> new TreeMap<>())
                        .put(ref.tag(), id.hex());
                }
            }
            ArrayNode layers = item.putArray("Layers");
            for (Digest diffId : image.config().diffIds()) {
                String name = diffId.hex() + "/layer.tar";
                layers.add(name);
                if (written.add(diffId)) {
                    writeBytes(tar, diffId.hex() + "/VERSION", "1.0".getBytes(StandardCharsets.US_ASCII));
                    writeLayer(tar, name, diffId);
                }
            }
        }
        writeBytes(tar, "manifest.json", json.write(manifest));
        if (!repositories.isEmpty()) {
            writeBytes(tar, "repositories", json.write(repositories));
        }
    }

    private void saveOciLayout(Map<Digest, Set<ImageReference>> images, TarArchiveOutputStream tar)
        throws IOException {
        ImageStore store = catalog.store();
        writeBytes(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.US_ASCII));
        ObjectNode index = json.mapper().createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        Set<Digest> written = new LinkedHashSet<>();
        for (Map.Entry<Digest, Set<ImageReference>> e : images.entrySet()) {
            Digest id = e.getKey();
            StoredImage image = store.find(id).orElseThrow();
            byte[] config = store.configJson(id);
            if (written.add(id)) {
                writeBytes(tar, "blobs/sha256/" + id.hex(), config);
            }
            ObjectNode manifest = json.mapper().createObjectNode();
            manifest.put("schemaVersion", 2);
            manifest.put("mediaType", OCI_MANIFEST);
            descriptor(manifest.putObject("config"), OCI_CONFIG, id, config.length);
            ArrayNode layers = manifest.putArray("layers");
            for (Digest diffId : image.config().diffIds()) {
                descriptor(layers.addObject(), OCI_LAYER, diffId, store.layerTarSize(diffId));
                if (written.add(diffId)) {
                    writeLayer(tar, "blobs/sha256/" + diffId.hex(), diffId);
                }
            }
            byte[] manifestBytes = json.write(manifest);
            Digest manifestDigest = Digest.of(manifestBytes);
            if (written.add(manifestDigest)) {
                writeBytes(tar, "blobs/sha256/" + manifestDigest.hex(), manifestBytes);
            }
            List<ImageReference> refs = new ArrayList<>(e.getValue());
            if (refs.isEmpty()) {
                descriptor(manifests.addObject(), OCI_MANIFEST, manifestDigest, manifestBytes.length);
            }
            for (ImageReference ref : refs) {
                ObjectNode d = manifests.addObject();
                descriptor(d, OCI_MANIFEST, manifestDigest, manifestBytes.length);
                ObjectNode annotations = d.putObject("annotations");
                annotations.put(CONTAINERD_NAME, ref.toString());
                if (ref.tag() != null) {
                    annotations.put(OCI_REF_NAME, ref.tag());
                }
            }
        }
        writeBytes(tar, "index.json", json.write(index));
    }

    private static void descriptor(ObjectNode node, String mediaType, Digest digest, long size) {
        node.put("mediaType", mediaType);
        node.put("digest", digest.toString());
        node.put("size", size);
    }

    private void writeLayer(TarArchiveOutputStream tar, String name, Digest diffId) throws IOException {
        ImageStore store = catalog.store();
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(store.layerTarSize(diffId));
        entry.setMode(0644);
        tar.putArchiveEntry(entry);
        try (InputStream in = store.openLayerTar(diffId)) {
            in.transferTo(tar);
        }
        tar.closeArchiveEntry();
    }

    private static void writeBytes(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        entry.setMode(0644);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
