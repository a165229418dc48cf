package dev.starling.worker.internal;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an unencrypted private key from PEM text (RFC 7468) in any of the three forms OpenSSL
 * writes: PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}) and
 * SEC1 EC ({@code BEGIN EC PRIVATE KEY}). The JDK reads only PKCS#8 before its PEM API, so the
 * other two are wrapped into PKCS#8 here (RFC 5208's PrivateKeyInfo around the key as it is).
 */
final class PemKeys {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)-----END \\1-----", Pattern.DOTALL);

    private static final String ENCRYPTED =
            "the key is encrypted; give it unencrypted (openssl pkey -in KEY -out PLAIN.pem) and protect the file";

    /** rsaEncryption, 1.2.840.113549.1.1.1 (RFC 8017 A.1). */
    private static final byte[] RSA_ENCRYPTION = {0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01, 0x01};
    /** id-ecPublicKey, 1.2.840.10045.2.1 (RFC 5480 2.1.1). */
    private static final byte[] EC_PUBLIC_KEY = {0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x02, 0x01};

    /** KeyFactory algorithms by the OID in a PKCS#8 PrivateKeyInfo, as content octets in hex. */
    private static final Map<String, String> ALGORITHMS = Map.of(
            "2a864886f70d010101", "RSA",
            "2a864886f70d01010a", "RSASSA-PSS",
            "2a8648ce3d0201", "EC",
            "2b6570", "Ed25519",
            "2b6571", "Ed448");

    private PemKeys() {
    }

    /**
     * The private key in {@code pem}.
     *
     * @throws IllegalArgumentException saying what is wrong with the text, for an operator
     */
    static PrivateKey read(String pem) {
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String label = m.group(1);
            String body = m.group(2);
            switch (label) {
                case "PRIVATE KEY" -> {
                    return pkcs8(decode(label, body));
                }
                case "RSA PRIVATE KEY" -> {
                    refuseEncrypted(body);
                    return pkcs8(wrap(Der.encode(Der.SEQUENCE, Der.encode(Der.OID, RSA_ENCRYPTION), Der.encode(Der.NULL)),
                            decode(label, body)));
                }
                case "EC PRIVATE KEY" -> {
                    refuseEncrypted(body);
                    byte[] sec1 = decode(label, body);
                    return pkcs8(wrap(Der.encode(Der.SEQUENCE, Der.encode(Der.OID, EC_PUBLIC_KEY), curveOf(sec1)), sec1));
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(ENCRYPTED);
                default -> {
                    // Other blocks may sit beside the key (EC PARAMETERS, a certificate): skip them.
                }
            }
        }
        throw new IllegalArgumentException("no PEM private key found (expected BEGIN PRIVATE KEY, "
                + "BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY)");
    }

    /** PKCS#8 PrivateKeyInfo: version 0, the algorithm, the key octets (RFC 5208 section 5). */
    private static byte[] wrap(byte[] algorithmIdentifier, byte[] key) {
        return Der.encode(Der.SEQUENCE, Der.encode(Der.INTEGER, new byte[] {0}), algorithmIdentifier,
                Der.encode(Der.OCTET_STRING, key));
    }

    /** The namedCurve OID from SEC1's ECPrivateKey parameters [0] (RFC 5915 section 3), encoded. */
    private static byte[] curveOf(byte[] sec1) {
        List<Der.Element> fields = parse(sec1, "EC private key");
        for (Der.Element field : fields) {
            if (field.tag() == Der.CONTEXT_0) {
                List<Der.Element> parameters = parse(field.content(), "EC key parameters", false);
                if (parameters.size() == 1 && parameters.get(0).tag() == Der.OID) {
                    return Der.encode(parameters.get(0));
                }
                throw new IllegalArgumentException("the EC key's curve is not a named curve");
            }
        }
        throw new IllegalArgumentException("the EC key does not name its curve (SEC1 parameters missing)");
    }

    private static PrivateKey pkcs8(byte[] der) {
        List<Der.Element> fields = parse(der, "PKCS#8 private key");
        if (fields.size() < 3 || fields.get(1).tag() != Der.SEQUENCE) {
            throw new IllegalArgumentException("malformed PKCS#8 private key");
        }
        List<Der.Element> algorithm = parse(fields.get(1).content(), "PKCS#8 algorithm", false);
        String oid = algorithm.isEmpty() ? "" : HexFormat.of().formatHex(algorithm.get(0).content());
        String name = ALGORITHMS.get(oid);
        if (name == null) {
            throw new IllegalArgumentException("unsupported key algorithm (OID bytes " + oid + "); use an RSA, EC or Ed25519 key");
        }
        try {
            return KeyFactory.getInstance(name).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("malformed " + name + " private key: " + e.getMessage(), e);
        }
    }

    private static List<Der.Element> parse(byte[] der, String what) {
        return parse(der, what, true);
    }

    private static List<Der.Element> parse(byte[] der, String what, boolean oneSequence) {
        try {
            return oneSequence ? Der.sequence(der) : Der.elements(der);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed " + what + ": " + e.getMessage(), e);
        }
    }

    private static byte[] decode(String label, String body) {
        try {
            return Base64.getDecoder().decode(body.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + label + " block is not valid base64", e);
        }
    }

    /** OpenSSL's traditional encrypted keys carry RFC 1421 headers such as {@code Proc-Type: 4,ENCRYPTED}. */
    private static void refuseEncrypted(String body) {
        if (body.contains("ENCRYPTED")) {
            throw new IllegalArgumentException(ENCRYPTED);
        }
    }
}
