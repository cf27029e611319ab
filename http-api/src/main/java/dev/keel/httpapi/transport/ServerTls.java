package dev.keel.httpapi.transport;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS on the TCP listeners, Docker's model: {@code --tls} serves with {@code --tlscert}/{@code --tlskey};
 * {@code --tlsverify} also requires every client to present a certificate signed by {@code --tlscacert}.
 * Unix sockets stay plain, as with dockerd.
 *
 * @param clientCa the CA that signs client certificates when clients are verified; empty means any client may connect
 */
public record ServerTls(Path cert, Path key, Optional<Path> clientCa) {

    /** The secret for the in-memory key store, which never leaves this process. */
    private static final char[] IN_MEMORY = new char[0];

    /** Clients must present a certificate signed by {@link #clientCa}. */
    public boolean verifiesClients() {
        return clientCa.isPresent();
    }

    /**
     * Reads the PEM files into a TLS context.
     *
     * @throws IllegalArgumentException naming the file that cannot be used, for the operator
     */
    SSLContext context() {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            List<X509Certificate> chain = read("--tlscert", cert, () -> Pem.certificates(cert));
            PrivateKey privateKey = read("--tlskey", key, () -> Pem.privateKey(key));
            keys.setKeyEntry("keeld", privateKey, IN_MEMORY, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, IN_MEMORY);

            TrustManagerFactory trustManagers = null;
            if (clientCa.isPresent()) {
                KeyStore trusted = KeyStore.getInstance("PKCS12");
                trusted.load(null, null);
                int n = 0;
                for (X509Certificate ca : read("--tlscacert", clientCa.get(), () -> Pem.certificates(clientCa.get()))) {
                    trusted.setCertificateEntry("ca-" + n++, ca);
                }
                trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trustManagers.init(trusted);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers == null ? null : trustManagers.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** A server-side engine for one connection: requires a client certificate when clients are verified. */
    SSLEngine engine(SSLContext context) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        // dockerd accepts TLS 1.2 and later only.
        engine.setEnabledProtocols(List.of(engine.getSupportedProtocols()).stream()
                .filter(p -> p.equals("TLSv1.2") || p.equals("TLSv1.3")).toArray(String[]::new));
        engine.setNeedClientAuth(verifiesClients());
        return engine;
    }

    private interface Reading<T> {
        T read() throws IOException, GeneralSecurityException;
    }

    private static <T> T read(String flag, Path file, Reading<T> reading) throws GeneralSecurityException {
        try {
            return reading.read();
        } catch (NoSuchFileException e) {
            throw new GeneralSecurityException(flag + " " + file + " does not exist", e);
        } catch (IOException e) {
            throw new GeneralSecurityException(flag + " " + file + " cannot be read: " + e.getMessage(), e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new GeneralSecurityException(flag + " " + file + " is not usable: " + e.getMessage(), e);
        }
    }
}
