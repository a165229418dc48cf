package dev.starling.worker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Private keys in each PEM form OpenSSL writes, made by openssl at test time, read as the same key. */
class PemKeysTest {

    @TempDir
    static Path dir;

    private static OpenSsl openssl;

    @BeforeAll
    static void makeKeys() throws IOException, InterruptedException {
        openssl = new OpenSsl(dir);
        openssl.run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa-pkcs8.pem");
        openssl.run("pkey", "-in", "rsa-pkcs8.pem", "-traditional", "-out", "rsa-pkcs1.pem");
        // ecparam -genkey writes an EC PARAMETERS block before the SEC1 key, as many guides produce it.
        openssl.run("ecparam", "-name", "prime256v1", "-genkey", "-out", "p256-sec1.pem");
        openssl.run("pkcs8", "-topk8", "-nocrypt", "-in", "p256-sec1.pem", "-out", "p256-pkcs8.pem");
        openssl.run("ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", "p384-sec1.pem");
        openssl.run("pkcs8", "-topk8", "-nocrypt", "-in", "p384-sec1.pem", "-out", "p384-pkcs8.pem");
        openssl.run("genpkey", "-algorithm", "ED25519", "-out", "ed25519.pem");
        openssl.run("pkcs8", "-topk8", "-in", "p256-pkcs8.pem", "-passout", "pass:secret", "-out", "encrypted-pkcs8.pem");
        openssl.run("pkey", "-in", "rsa-pkcs8.pem", "-traditional", "-aes128", "-passout", "pass:secret", "-out", "encrypted-pkcs1.pem");
    }

    private static PrivateKey read(String file) throws IOException {
        return PemKeys.read(Files.readString(dir.resolve(file)));
    }

    @Test
    void readsPkcs1RsaAsTheSameKeyAsItsPkcs8Form() throws IOException {
        RSAPrivateKey pkcs1 = (RSAPrivateKey) read("rsa-pkcs1.pem");
        RSAPrivateKey pkcs8 = (RSAPrivateKey) read("rsa-pkcs8.pem");
        assertEquals("-----BEGIN RSA PRIVATE KEY-----", Files.readAllLines(dir.resolve("rsa-pkcs1.pem")).get(0));
        assertEquals(pkcs8.getModulus(), pkcs1.getModulus());
        assertEquals(pkcs8.getPrivateExponent(), pkcs1.getPrivateExponent());
    }

    @ParameterizedTest
    @ValueSource(strings = {"p256", "p384"})
    void readsSec1EcAsTheSameKeyAsItsPkcs8Form(String curve) throws IOException {
        ECPrivateKey sec1 = (ECPrivateKey) read(curve + "-sec1.pem");
        ECPrivateKey pkcs8 = (ECPrivateKey) read(curve + "-pkcs8.pem");
        assertEquals(pkcs8.getS(), sec1.getS());
        assertEquals(pkcs8.getParams().getCurve(), sec1.getParams().getCurve());
        assertEquals(BigInteger.valueOf(1), BigInteger.valueOf(pkcs8.getParams().getCofactor()));
    }

    @Test
    void readsEd25519Pkcs8() throws IOException {
        assertEquals("EdDSA", read("ed25519.pem").getAlgorithm());
    }

    @ParameterizedTest
    @ValueSource(strings = {"encrypted-pkcs8.pem", "encrypted-pkcs1.pem"})
    void refusesEncryptedKeysSayingHowToDecrypt(String file) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(file));
        assertEquals("the key is encrypted; give it unencrypted (openssl pkey -in KEY -out PLAIN.pem) and protect the file",
                e.getMessage());
    }

    @Test
    void refusesTextWithoutAKey() throws IOException, InterruptedException {
        openssl.selfSigned("p256-pkcs8.pem", "only-cert");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read("only-cert.pem"));
        assertEquals("no PEM private key found (expected BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY)",
                e.getMessage());
    }

    @Test
    void refusesAGarbledKeyNamingWhatIsWrong() throws IOException {
        String pem = Files.readString(dir.resolve("rsa-pkcs1.pem"));
        // Cut the DER short: the outer SEQUENCE's length now runs past the end.
        String threeLines = String.join("\n", pem.lines().skip(1).limit(3).toList());
        String cut = "-----BEGIN RSA PRIVATE KEY-----\n" + threeLines + "\n-----END RSA PRIVATE KEY-----\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PemKeys.read(cut));
        assertTrue(e.getMessage().startsWith("malformed RSA private key: "), e.getMessage());
    }

    @Test
    void refusesBadBase64() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PemKeys.read("-----BEGIN EC PRIVATE KEY-----\n@@@@\n-----END EC PRIVATE KEY-----\n"));
        assertEquals("the EC PRIVATE KEY block is not valid base64", e.getMessage());
    }
}
