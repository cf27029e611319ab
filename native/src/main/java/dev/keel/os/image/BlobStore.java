package dev.keel.os.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Content-addressed blobs under {@code blobs/sha256/<hex>}. A blob is written to a temporary file, fsync'd,
 * and renamed into place, so a blob that exists is complete and its name is its digest.
 */
final class BlobStore {
    private final Path blobs;
    private final Path tmp;

    BlobStore(Path imageDir) throws IOException {
        this.blobs = imageDir.resolve("blobs").resolve(Digest.ALGORITHM);
        this.tmp = imageDir.resolve("tmp");
        Files.createDirectories(blobs);
        Files.createDirectories(tmp);
    }

    Path tmpDir() {
        return tmp;
    }

    Path path(Digest digest) {
        return blobs.resolve(digest.hex());
    }

    boolean contains(Digest digest) {
        return Files.isRegularFile(path(digest));
    }

    Digest write(byte[] content) throws IOException {
        return write(new java.io.ByteArrayInputStream(content));
    }

    Digest write(InputStream in) throws IOException {
        Path part = Files.createTempFile(tmp, "blob-", ".part");
        try {
            MessageDigest sha = Digest.newSha256();
            try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE);
                 OutputStream out = new DigestOutputStream(Channels.newOutputStream(ch), sha)) {
                in.transferTo(out);
                out.flush();
                ch.force(true);
            }
            Digest digest = Digest.of(sha);
            Path target = path(digest);
            if (Files.exists(target)) {
                Files.delete(part);
            } else {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
                syncDirectory(blobs);
            }
            return digest;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** Reads a blob whole, checking its size bound and that its content still matches its name. */
    byte[] read(Digest digest, long maxBytes) throws IOException {
        Path p = path(digest);
        if (Files.size(p) > maxBytes) {
            throw new InvalidImageException("blob " + digest + " is larger than " + maxBytes + " bytes");
        }
        byte[] content = Files.readAllBytes(p);
        if (!Digest.of(content).equals(digest)) {
            throw new InvalidImageException("blob " + digest + " is corrupt: its content has another digest");
        }
        return content;
    }

    InputStream open(Digest digest) throws IOException {
        return Files.newInputStream(path(digest));
    }

    long size(Digest digest) throws IOException {
        return Files.size(path(digest));
    }

    void delete(Digest digest) throws IOException {
        Files.deleteIfExists(path(digest));
    }

    Set<Digest> all() throws IOException {
        Set<Digest> out = new HashSet<>();
        try (Stream<Path> files = Files.list(blobs)) {
            files.forEach(f -> out.add(new Digest(f.getFileName().toString())));
        }
        return out;
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
