package dev.keel.httpapi.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys and certificates as openssl writes them, read back by {@link Pem}. */
class PemTest {

    @TempDir
    Path dir;

    @Test
    void shouldReadTheSameRsaKeyFromPkcs8AndPkcs1() throws Exception {
        TestCertificates.openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "k8.pem");
        TestCertificates.openssl(dir, "rsa", "-in", "k8.pem", "-traditional", "-out", "k1.pem");
        assertThat(Files.readString(dir.resolve("k1.pem"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");

        RSAPrivateCrtKey pkcs8 = (RSAPrivateCrtKey) Pem.privateKey(dir.resolve("k8.pem"));
        RSAPrivateCrtKey pkcs1 = (RSAPrivateCrtKey) Pem.privateKey(dir.resolve("k1.pem"));

        assertThat(pkcs1.getModulus()).isEqualTo(pkcs8.getModulus());
        assertThat(pkcs1.getPrivateExponent()).isEqualTo(pkcs8.getPrivateExponent());
    }

    @Test
    void shouldReadTheSameEcKeyFromSec1AndPkcs8() throws Exception {
        TestCertificates.openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-out", "sec1.pem");
        TestCertificates.openssl(dir, "pkcs8", "-topk8", "-nocrypt", "-in", "sec1.pem", "-out", "k8.pem");
        assertThat(Files.readString(dir.resolve("sec1.pem"))).contains("-----BEGIN EC PARAMETERS-----",
                "-----BEGIN EC PRIVATE KEY-----");

        ECPrivateKey sec1 = (ECPrivateKey) Pem.privateKey(dir.resolve("sec1.pem"));
        ECPrivateKey pkcs8 = (ECPrivateKey) Pem.privateKey(dir.resolve("k8.pem"));

        assertThat(sec1.getS()).isEqualTo(pkcs8.getS());
        assertThat(sec1.getParams().getCurve()).isEqualTo(pkcs8.getParams().getCurve());
    }

    @Test
    void shouldReadACertificate() throws Exception {
        TestCertificates certificates = TestCertificates.create(dir);

        assertThat(Pem.certificates(certificates.serverCert())).singleElement()
                .satisfies(c -> assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=localhost"));
    }

    @Test
    void shouldRefuseAFileWithoutAKeyNamingWhatItExpects() throws Exception {
        Path notAKey = Files.writeString(dir.resolve("cert.pem"), "hello\n");

        assertThatThrownBy(() -> Pem.privateKey(notAKey))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("holds no PEM private key");
    }

    @Test
    void shouldRefuseAnEncryptedKey() throws Exception {
        TestCertificates.openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                "-aes256", "-pass", "pass:secret", "-out", "enc.pem");

        assertThatThrownBy(() -> Pem.privateKey(dir.resolve("enc.pem")))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("encrypted private key");
    }
}
