package dev.keel.os.runtime.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * An Engine API client over keeld's unix socket: HTTP/1.1 on one kept-alive connection, as the docker CLI talks to a
 * daemon. Not thread-safe: one per thread.
 */
final class EngineClient implements AutoCloseable {

    /** A status and the whole body (chunked bodies joined). */
    record Response(int status, String body) {

        Response expect(int expected, String what) {
            if (status != expected) {
                throw new IllegalStateException(what + ": HTTP " + status + " " + body);
            }
            return this;
        }
    }

    private final Path socket;
    private SocketChannel channel;
    private InputStream in;

    EngineClient(Path socket) {
        this.socket = socket;
    }

    Response call(String method, String target) throws IOException {
        return call(method, target, "application/json", new byte[0]);
    }

    Response call(String method, String target, String json) throws IOException {
        return call(method, target, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    Response call(String method, String target, String contentType, byte[] body) throws IOException {
        if (channel == null) {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            in = new BufferedInputStream(Channels.newInputStream(channel), 1 << 16);
        }
        String head = method + " " + target + " HTTP/1.1\r\nHost: docker\r\nUser-Agent: keel-bench\r\n"
                + "Content-Type: " + contentType + "\r\nContent-Length: " + body.length + "\r\n\r\n";
        ByteBuffer request = ByteBuffer.allocate(head.length() + body.length);
        request.put(head.getBytes(StandardCharsets.US_ASCII)).put(body).flip();
        while (request.hasRemaining()) {
            channel.write(request);
        }
        return read(method);
    }

    private Response read(String method) throws IOException {
        String statusLine = line();
        int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String header = line(); !header.isEmpty(); header = line()) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
                    size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                body.write(in.readNBytes(size));
                line();
            }
            // Trailers end with an empty line.
            String trailer;
            do {
                trailer = line();
            } while (!trailer.isEmpty());
        } else if (length >= 0) {
            body.write(in.readNBytes((int) length));
        } else if (status != 204 && status != 304 && !method.equals("HEAD")) {
            body.write(in.readAllBytes());
            close = true;
        }
        if (close) {
            close();
        }
        return new Response(status, body.toString(StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed by keeld in the middle of a response");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
            in = null;
        }
    }
}
