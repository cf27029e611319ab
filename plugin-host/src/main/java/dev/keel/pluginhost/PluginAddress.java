package dev.keel.pluginhost;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;

/** Where a plugin listens: a unix socket, or a TCP address possibly with TLS (from a {@code .json} file). */
public sealed interface PluginAddress {

    /** The value of the HTTP {@code Host} header for calls to this address. */
    String hostHeader();

    record UnixSocket(Path path) implements PluginAddress {
        @Override
        public String hostHeader() {
            return "plugin.moby.localhost";
        }

        @Override
        public String toString() {
            return "unix://" + path;
        }
    }

    record Tcp(String host, int port, Optional<TlsSettings> tls) implements PluginAddress {
        @Override
        public String hostHeader() {
            return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        }

        @Override
        public String toString() {
            return (tls.isPresent() ? "tcp+tls://" : "tcp://") + hostHeader();
        }
    }

    /**
     * Docker's TLSConfig of a {@code .json} plugin description; file names are empty when absent. Without a CA file,
     * Docker skips verification of the plugin's certificate, and so does Keel.
     */
    record TlsSettings(boolean insecureSkipVerify, String caFile, String certFile, String keyFile) {
        public boolean verifies() {
            return !insecureSkipVerify && !caFile.isEmpty();
        }
    }

    /**
     * Parses {@code unix:///path.sock} or {@code tcp://host:port}; the scheme is mandatory, as in Docker.
     *
     * @throws IllegalArgumentException with a message saying what is wrong
     */
    static PluginAddress parse(String url, Optional<TlsSettings> tls) {
        String trimmed = url.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("empty plugin address");
        }
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid plugin address " + trimmed + ": " + e.getReason());
        }
        if (uri.getScheme() == null) {
            throw new IllegalArgumentException("plugin address " + trimmed + " has no scheme (unix:// or tcp://)");
        }
        switch (uri.getScheme()) {
            case "unix" -> {
                String path = uri.getPath();
                if (path == null || path.isEmpty() || !path.startsWith("/")) {
                    throw new IllegalArgumentException("unix plugin address needs an absolute path: " + trimmed);
                }
                return new UnixSocket(Path.of(path));
            }
            case "tcp" -> {
                if (uri.getHost() == null || uri.getPort() < 0) {
                    throw new IllegalArgumentException("tcp plugin address needs host:port: " + trimmed);
                }
                String host = uri.getHost().startsWith("[")
                        ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
                return new Tcp(host, uri.getPort(), tls);
            }
            default -> throw new IllegalArgumentException("unsupported plugin address scheme " + uri.getScheme()
                    + " in " + trimmed);
        }
    }
}
