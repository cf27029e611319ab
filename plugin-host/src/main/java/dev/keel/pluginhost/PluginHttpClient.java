package dev.keel.pluginhost;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A small HTTP/1.1 client for the plugin protocol: one {@code POST /<Interface>.<Method>} per connection, over a unix
 * socket or TCP (optionally TLS). The per-call timeout is enforced by a watchdog that closes the connection, which
 * unblocks any read or write in progress.
 */
final class PluginHttpClient {

    static final String ACCEPT = "application/vnd.docker.plugins.v1.2+json";
    private static final int MAX_LINE = 8192;

    /** The answer's status and body; headers other than the framing ones are of no use to the protocol. */
    record HttpAnswer(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** No connection could be made, so nothing was sent: retrying cannot repeat a side effect. */
    static final class ConnectFailed extends Exception {
        ConnectFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final ScheduledExecutorService watchdogs;
    private final Duration timeout;
    private final int maxResponseBytes;

    PluginHttpClient(ScheduledExecutorService watchdogs, Duration timeout, int maxResponseBytes) {
        this.watchdogs = watchdogs;
        this.timeout = timeout;
        this.maxResponseBytes = maxResponseBytes;
    }

    HttpAnswer post(String plugin, PluginAddress address, String method, byte[] body) throws ConnectFailed {
        Connection connection = connect(plugin, address);
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> watchdog = watchdogs.schedule(() -> {
            expired.set(true);
            connection.closeQuietly();
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        try {
            OutputStream out = connection.output();
            out.write(requestHead(address, method, body.length));
            out.write(body);
            out.flush();
            return readAnswer(plugin, method, new BufferedInputStream(connection.input()));
        } catch (IOException e) {
            if (expired.get()) {
                throw new PluginFailure(PluginFailure.Reason.TIMED_OUT, "plugin " + plugin + " did not answer "
                        + method + " within " + timeout.toMillis() + " ms", e);
            }
            throw new PluginFailure(PluginFailure.Reason.CONNECTION_LOST, "plugin " + plugin
                    + " closed the connection during " + method + ": " + describe(e), e);
        } finally {
            watchdog.cancel(false);
            connection.closeQuietly();
        }
    }

    private static byte[] requestHead(PluginAddress address, String method, int contentLength) {
        return ("POST /" + method + " HTTP/1.1\r\n"
                + "Host: " + address.hostHeader() + "\r\n"
                + "User-Agent: keel-plugin-host\r\n"
                + "Accept: " + ACCEPT + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + contentLength + "\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private HttpAnswer readAnswer(String plugin, String method, InputStream in) throws IOException {
        while (true) {
            String statusLine = readLine(in, true);
            if (statusLine == null) {
                throw new EOFException("no answer");
            }
            int status = parseStatus(plugin, method, statusLine);
            boolean chunked = false;
            long contentLength = -1;
            for (String header = readLine(in, false); !header.isEmpty(); header = readLine(in, false)) {
                int colon = header.indexOf(':');
                if (colon <= 0) {
                    throw badAnswer(plugin, method, "malformed header line: " + header);
                }
                String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).strip();
                if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                    chunked = true;
                } else if (name.equals("content-length")) {
                    try {
                        contentLength = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw badAnswer(plugin, method, "invalid Content-Length " + value);
                    }
                }
            }
            if (status >= 100 && status < 200) {
                continue;
            }
            byte[] body;
            if (chunked) {
                body = readChunked(plugin, method, in);
            } else if (contentLength >= 0) {
                if (contentLength > maxResponseBytes) {
                    throw badAnswer(plugin, method, "answer of " + contentLength + " bytes is too large");
                }
                body = in.readNBytes((int) contentLength);
                if (body.length < contentLength) {
                    throw new EOFException("answer cut short after " + body.length + " of " + contentLength
                            + " bytes");
                }
            } else {
                body = readLimited(plugin, method, in, maxResponseBytes + 1L);
            }
            return new HttpAnswer(status, body);
        }
    }

    private byte[] readChunked(String plugin, String method, InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in, false);
            int semicolon = sizeLine.indexOf(';');
            String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).strip();
            long size;
            try {
                size = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw badAnswer(plugin, method, "invalid chunk size " + hex);
            }
            if (size == 0) {
                skipTrailers(in);
                return body.toByteArray();
            }
            if (body.size() + size > maxResponseBytes) {
                throw badAnswer(plugin, method, "answer larger than " + maxResponseBytes + " bytes");
            }
            byte[] chunk = in.readNBytes((int) size);
            if (chunk.length < size) {
                throw new EOFException("chunk cut short");
            }
            body.write(chunk);
            readLine(in, false);
        }
    }

    /** Trailers carry nothing the protocol uses. */
    private static void skipTrailers(InputStream in) throws IOException {
        String trailer = readLine(in, false);
        while (!trailer.isEmpty()) {
            trailer = readLine(in, false);
        }
    }

    private byte[] readLimited(String plugin, String method, InputStream in, long limit) throws IOException {
        byte[] body = in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 8));
        if (body.length > maxResponseBytes) {
            throw badAnswer(plugin, method, "answer larger than " + maxResponseBytes + " bytes");
        }
        return body;
    }

    private static int parseStatus(String plugin, String method, String statusLine) {
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw badAnswer(plugin, method, "not an HTTP answer: " + abbreviate(statusLine));
        }
        try {
            return Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw badAnswer(plugin, method, "invalid HTTP status line: " + abbreviate(statusLine));
        }
    }

    /** @return the line without its end, or null at end of stream when {@code eofAllowed} and nothing was read */
    private static String readLine(InputStream in, boolean eofAllowed) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (eofAllowed && line.size() == 0) {
                    return null;
                }
                throw new EOFException("answer cut short");
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("HTTP line longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
    }

    private static PluginFailure badAnswer(String plugin, String method, String what) {
        return new PluginFailure(PluginFailure.Reason.BAD_ANSWER,
                "plugin " + plugin + " answered " + method + " with an invalid HTTP answer: " + what);
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private Connection connect(String plugin, PluginAddress address) throws ConnectFailed {
        if (address instanceof PluginAddress.UnixSocket unix) {
            return connectUnix(unix);
        }
        return connectTcp(plugin, (PluginAddress.Tcp) address);
    }

    private static Connection connectUnix(PluginAddress.UnixSocket unix) throws ConnectFailed {
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(unix.path()));
            SocketChannel connected = channel;
            return new Connection(Channels.newInputStream(connected), Channels.newOutputStream(connected), connected);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ConnectFailed("cannot connect to " + unix + ": " + describe(e), e);
        }
    }

    private Connection connectTcp(String plugin, PluginAddress.Tcp tcp) throws ConnectFailed {
        Socket socket = new Socket();
        int timeoutMillis = (int) Math.max(1, timeout.toMillis());
        try {
            socket.connect(new InetSocketAddress(tcp.host(), tcp.port()), timeoutMillis);
            socket.setTcpNoDelay(true);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new ConnectFailed("cannot connect to " + tcp + ": " + describe(e), e);
        }
        if (tcp.tls().isEmpty()) {
            return plain(socket, tcp);
        }
        try {
            SSLSocket ssl = handshake(socket, tcp, timeoutMillis);
            return new Connection(ssl.getInputStream(), ssl.getOutputStream(), ssl);
        } catch (IOException e) {
            closeQuietly(socket);
            // a certificate or protocol mismatch does not heal by retrying
            throw new PluginFailure(PluginFailure.Reason.UNREACHABLE, "TLS handshake with plugin " + plugin
                    + " at " + tcp + " failed: " + describe(e), e);
        }
    }

    private static Connection plain(Socket socket, PluginAddress.Tcp tcp) throws ConnectFailed {
        try {
            return new Connection(socket.getInputStream(), socket.getOutputStream(), socket);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new ConnectFailed("cannot connect to " + tcp + ": " + describe(e), e);
        }
    }

    /** Handshakes before the call so that TLS failures are told apart from a plugin dying mid-call. */
    private static SSLSocket handshake(Socket socket, PluginAddress.Tcp tcp, int timeoutMillis) throws IOException {
        PluginAddress.TlsSettings tls = tcp.tls().orElseThrow();
        SSLContext context = PluginTls.context(tls);
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket, tcp.host(), tcp.port(), true);
        if (tls.verifies()) {
            SSLParameters parameters = ssl.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            ssl.setSSLParameters(parameters);
        }
        ssl.setSoTimeout(timeoutMillis);
        ssl.startHandshake();
        ssl.setSoTimeout(0);
        return ssl;
    }

    private static void closeQuietly(Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException ignored) {
            // closing a connection that failed: there is nothing left to release
        }
    }

    private record Connection(InputStream input, OutputStream output, Closeable resource) {
        void closeQuietly() {
            PluginHttpClient.closeQuietly(resource);
        }
    }
}
