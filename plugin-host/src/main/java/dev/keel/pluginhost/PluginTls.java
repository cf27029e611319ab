package dev.keel.pluginhost;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** The TLS context for a plugin described by a {@code .json} file with a TLSConfig, built as Docker does. */
final class PluginTls {

    private PluginTls() {
    }

    static SSLContext context(PluginAddress.TlsSettings tls) throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(tls.certFile().isEmpty() ? null : keyManagers(tls).getKeyManagers(),
                    tls.verifies() ? trustManagers(tls.caFile()) : new TrustManager[] {new TrustingEveryone()},
                    null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("invalid TLS configuration of plugin: " + e.getMessage(), e);
        }
    }

    private static TrustManager[] trustManagers(String caFile) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int index = 0;
        for (Certificate certificate : certificates(caFile)) {
            store.setCertificateEntry("ca-" + index++, certificate);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    private static KeyManagerFactory keyManagers(PluginAddress.TlsSettings tls)
            throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> chain = certificates(tls.certFile());
        PrivateKey key = privateKey(tls.keyFile());
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setKeyEntry("client", key, new char[0], chain.toArray(new Certificate[0]));
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, new char[0]);
        return factory;
    }

    private static Collection<? extends Certificate> certificates(String file)
            throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
    }

    /** Only PKCS#8 ("BEGIN PRIVATE KEY") is readable without a third-party library. */
    private static PrivateKey privateKey(String file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new GeneralSecurityException("key file " + file + " is not a PKCS#8 PEM key (BEGIN PRIVATE KEY)");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("unsupported key in " + file, last);
    }

    /** Docker skips verification when the description has no CA file or asks for it. */
    private static final class TrustingEveryone implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // the daemon is the client; plugins never ask the daemon to trust anyone
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // verification skipped on purpose, as configured
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
