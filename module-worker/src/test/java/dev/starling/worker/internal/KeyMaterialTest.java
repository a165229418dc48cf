package dev.starling.worker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.starling.worker.WorkerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the tls transport loads from its settings, and the one-line errors an operator gets instead. */
class KeyMaterialTest {

    @TempDir
    static Path dir;

    private static OpenSsl openssl;

    @BeforeAll
    static void makeKeys() throws IOException, InterruptedException {
        openssl = new OpenSsl(dir);
        openssl.run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.key");
        openssl.selfSigned("rsa.key", "rsa");
        openssl.run("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.key");
        openssl.selfSigned("ec.key", "ec");
        openssl.run("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "other-ec.key");
        openssl.run("pkcs12", "-export", "-in", "rsa.pem", "-inkey", "rsa.key", "-out", "rsa.p12", "-passout", "pass:s3cret");
        Files.writeString(dir.resolve("password"), "s3cret\n");
        Files.writeString(dir.resolve("wrong-password"), "guess\n");
    }

    private static WorkerConfig settings(String... pairs) {
        Map<String, String> settings = new java.util.TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            settings.put(pairs[i], pairs[i].endsWith("env") ? pairs[i + 1] : dir.resolve(pairs[i + 1]).toString());
        }
        return new WorkerConfig(new dev.starling.worker.Endpoint.Inet(new InetSocketAddress(0), false), 1,
                WorkerConfig.ListenMode.REUSEPORT, java.util.OptionalInt.empty(), settings);
    }

    private static String failure(WorkerConfig config) {
        return assertThrows(IllegalArgumentException.class, () -> KeyMaterial.load(config)).getMessage();
    }

    @Test
    void loadsPemKeyAndCertificate() {
        KeyMaterial rsa = KeyMaterial.load(settings("tls-cert", "rsa.pem", "tls-key", "rsa.key"));
        assertEquals("CN=localhost", rsa.chain().get(0).getSubjectX500Principal().getName());
        assertEquals("EC", KeyMaterial.load(settings("tls-cert", "ec.pem", "tls-key", "ec.key")).key().getAlgorithm());
    }

    @Test
    void loadsAKeystoreWithItsPasswordFromAFile() {
        KeyMaterial material = KeyMaterial.load(settings("tls-keystore", "rsa.p12", "tls-password-file", "password"));
        assertEquals("RSA", material.key().getAlgorithm());
    }

    @Test
    void refusesAKeyOfAnotherCertificate() {
        assertEquals("--tls-key " + dir.resolve("ec.key") + " does not match the certificate in --tls-cert " + dir.resolve("rsa.pem"),
                failure(settings("tls-cert", "rsa.pem", "tls-key", "ec.key")));
        assertEquals("--tls-key " + dir.resolve("other-ec.key") + " does not match the certificate in --tls-cert "
                + dir.resolve("ec.pem"), failure(settings("tls-cert", "ec.pem", "tls-key", "other-ec.key")));
    }

    @Test
    void refusesAWrongKeystorePassword() {
        assertEquals("--tls-keystore " + dir.resolve("rsa.p12") + ": wrong password",
                failure(settings("tls-keystore", "rsa.p12", "tls-password-file", "wrong-password")));
    }

    @Test
    void refusesAPasswordVariableThatIsNotSet() {
        assertEquals("--tls-password-env: the environment variable STARLING_TEST_UNSET_VARIABLE is not set",
                failure(settings("tls-keystore", "rsa.p12", "tls-password-env", "STARLING_TEST_UNSET_VARIABLE")));
    }

    @Test
    void refusesAKeystoreWithoutPassword() {
        assertEquals("--tls-keystore needs its password from exactly one of --tls-password-file FILE and "
                + "--tls-password-env VARIABLE", failure(settings("tls-keystore", "rsa.p12")));
    }

    @Test
    void refusesMissingKeyMaterial() {
        assertEquals("the tls transport needs --tls-cert FILE and --tls-key FILE, or --tls-keystore FILE",
                failure(settings("tls-cert", "rsa.pem")));
    }

    @Test
    void refusesAMissingFileNamingIt() {
        assertEquals("--tls-cert " + dir.resolve("absent.pem") + ": no such file",
                failure(settings("tls-cert", "absent.pem", "tls-key", "rsa.key")));
    }

    @Test
    void refusesAFileThatIsNoCertificate() {
        assertEquals("--tls-cert " + dir.resolve("rsa.key") + ": holds no PEM certificate (BEGIN CERTIFICATE)",
                failure(settings("tls-cert", "rsa.key", "tls-key", "rsa.key")));
    }
}
