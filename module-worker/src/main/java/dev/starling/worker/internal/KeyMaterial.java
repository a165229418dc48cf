package dev.starling.worker.internal;

import dev.starling.worker.WorkerConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A server's private key and certificate chain (leaf first), read from the files the
 * {@code --tls-*} flags name and checked: every certificate valid now, the key matching the
 * leaf. Each worker generation reads the files afresh, so a reload picks up renewed ones.
 *
 * <p>Every failure is an {@link IllegalArgumentException} whose message names the flag and
 * the file, for the operator.
 */
record KeyMaterial(PrivateKey key, List<X509Certificate> chain) {

    static final String CERT = "tls-cert";
    static final String KEY = "tls-key";
    static final String KEYSTORE = "tls-keystore";
    static final String PASSWORD_FILE = "tls-password-file";
    static final String PASSWORD_ENV = "tls-password-env";

    KeyMaterial {
        chain = List.copyOf(chain);
    }

    /** Reads and checks what {@code config}'s settings name. */
    static KeyMaterial load(WorkerConfig config) {
        Optional<String> cert = config.setting(CERT);
        Optional<String> key = config.setting(KEY);
        Optional<String> keystore = config.setting(KEYSTORE);
        KeyMaterial material;
        String certSource;
        String keySource;
        if (keystore.isPresent() && (cert.isPresent() || key.isPresent())) {
            throw new IllegalArgumentException("give either --tls-keystore or --tls-cert with --tls-key, not both");
        } else if (keystore.isPresent()) {
            certSource = keySource = "--" + KEYSTORE + " " + keystore.get();
            material = fromKeystore(keystore.get(), password(config));
        } else if (cert.isPresent() && key.isPresent()) {
            certSource = "--" + CERT + " " + cert.get();
            keySource = "--" + KEY + " " + key.get();
            material = new KeyMaterial(privateKey(keySource, read(keySource)), certificates(certSource, read(certSource)));
        } else {
            throw new IllegalArgumentException("the tls transport needs --tls-cert FILE and --tls-key FILE, or --tls-keystore FILE");
        }
        material.checkValidity(certSource);
        material.checkKeyMatches(keySource, certSource);
        return material;
    }

    private static char[] password(WorkerConfig config) {
        Optional<String> file = config.setting(PASSWORD_FILE);
        Optional<String> variable = config.setting(PASSWORD_ENV);
        if (file.isPresent() == variable.isPresent()) {
            throw new IllegalArgumentException("--tls-keystore needs its password from exactly one of "
                    + "--tls-password-file FILE and --tls-password-env VARIABLE");
        }
        if (file.isPresent()) {
            String text = new String(read("--" + PASSWORD_FILE + " " + file.get()), StandardCharsets.UTF_8);
            // A file written by echo or an editor ends in a line break that is no part of the password.
            return text.replaceFirst("\\r?\\n\\z", "").toCharArray();
        }
        String value = System.getenv(variable.get());
        if (value == null) {
            throw new IllegalArgumentException("--tls-password-env: the environment variable " + variable.get() + " is not set");
        }
        return value.toCharArray();
    }

    private static KeyMaterial fromKeystore(String file, char[] password) {
        String source = "--" + KEYSTORE + " " + file;
        byte[] bytes = read(source);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(bytes), password);
            for (String alias : Collections.list(store.aliases())) {
                Certificate[] chain = store.getCertificateChain(alias);
                if (store.isKeyEntry(alias) && chain != null && chain.length > 0) {
                    return new KeyMaterial((PrivateKey) store.getKey(alias, password),
                            Arrays.stream(chain).map(X509Certificate.class::cast).toList());
                }
            }
            throw new IllegalArgumentException(source + ": holds no private key with its certificate");
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new IllegalArgumentException(source + ": wrong password", e);
            }
            throw new IllegalArgumentException(source + ": not a PKCS#12 keystore (" + e.getMessage() + ")", e);
        } catch (UnrecoverableKeyException e) {
            throw new IllegalArgumentException(source + ": wrong password for its private key", e);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException(source + ": cannot be read: " + e.getMessage(), e);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static PrivateKey privateKey(String source, byte[] pem) {
        try {
            return PemKeys.read(new String(pem, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> certificates(String source, byte[] pem) {
        // The JDK's reader would take any PEM block (a key, say) for a certificate and fail obscurely.
        if (!new String(pem, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException(source + ": holds no PEM certificate (BEGIN CERTIFICATE)");
        }
        try {
            List<X509Certificate> chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem)).stream().map(X509Certificate.class::cast).toList();
            return chain;
        } catch (CertificateException e) {
            throw new IllegalArgumentException(source + ": not a PEM certificate chain (" + e.getMessage() + ")", e);
        }
    }

    private void checkValidity(String source) {
        for (X509Certificate c : chain) {
            try {
                c.checkValidity();
            } catch (CertificateExpiredException e) {
                throw new IllegalArgumentException(source + ": the certificate for " + c.getSubjectX500Principal().getName()
                        + " expired on " + c.getNotAfter().toInstant(), e);
            } catch (CertificateNotYetValidException e) {
                throw new IllegalArgumentException(source + ": the certificate for " + c.getSubjectX500Principal().getName()
                        + " is not valid before " + c.getNotBefore().toInstant(), e);
            }
        }
    }

    /** The key must belong to the leaf certificate: the public keys agree, or a signature made with one verifies with the other. */
    private void checkKeyMatches(String keySource, String certSource) {
        PublicKey published = chain.get(0).getPublicKey();
        boolean matches;
        if (key instanceof RSAPrivateCrtKey rsa) {
            matches = published instanceof RSAPublicKey pub
                    && rsa.getModulus().equals(pub.getModulus()) && rsa.getPublicExponent().equals(pub.getPublicExponent());
        } else {
            matches = signatureVerifies(published);
        }
        if (!matches) {
            throw new IllegalArgumentException(keySource + " does not match the certificate in " + certSource);
        }
    }

    private boolean signatureVerifies(PublicKey published) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> throw new IllegalArgumentException("unsupported private key algorithm " + key.getAlgorithm()
                    + "; use an RSA, EC or Ed25519 key");
        };
        byte[] probe = "starling key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(published);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException differentKindOfKey) {
            // An EC key against an RSA certificate, say: the certificate cannot verify it.
            return false;
        }
    }

    private static byte[] read(String source) {
        Path path = Path.of(source.substring(source.indexOf(' ') + 1));
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(source + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(source + ": permission denied", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": cannot be read: " + e.getMessage(), e);
        }
    }
}
