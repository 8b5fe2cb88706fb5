package dev.berth.system;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;

/**
 * One headless Chromium, signed in as one of the realm's users through Keycloak's own login form, for
 * the web UI's end-to-end tests. Debian's {@code chromium} and {@code chromedriver} (installed by
 * {@code .ci/run}) are named by path, so Selenium never looks for, or downloads, a browser or driver.
 * The flags are those that keep Chromium off the network it cannot reach here (background updates,
 * sync, component downloads) and let it run as root.
 */
final class UiBrowser implements AutoCloseable {
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");

    final ChromeDriver driver;
    private final Path profile;

    private UiBrowser(int width, int height, boolean phone) {
        try {
            profile = Files.createTempDirectory("berth-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=" + width + "," + height, "--user-data-dir=" + profile);
        if (phone) {
            // A window alone cannot be narrower than 500 px in headless Chromium: a phone's viewport
            // (width, touch, user agent) comes from its device emulation.
            options.setExperimentalOption("mobileEmulation", Map.of("deviceMetrics",
                    Map.of("width", width, "height", height, "pixelRatio", 1.0, "touch", true)));
        }
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
    }

    static boolean present() {
        return new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute();
    }

    /** A new browser (a profile of its own: no session of another user) at 1280 px wide. */
    static UiBrowser open() {
        return new UiBrowser(1280, 1000, false);
    }

    /** A browser whose window is {@code width} × {@code height} px (a screenshot of a wide page). */
    static UiBrowser sized(int width, int height) {
        return new UiBrowser(width, height, false);
    }

    /** A browser as a phone shows a page: 390 px wide. */
    static UiBrowser phone() {
        return new UiBrowser(390, 844, true);
    }

    /** Opens the UI, which sends the browser to Keycloak's login form, and signs in there. */
    UiBrowser signIn(String gateway, String user, String password) {
        driver.get(gateway + "/ui/");
        WebElement name = until(d -> d.findElements(By.id("username")).stream().findFirst().orElse(null));
        name.sendKeys(user);
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.id("kc-login")).click();
        until(d -> d.findElements(By.cssSelector("header.top .who")).stream()
                .filter(e -> e.getText().contains(user)).findFirst().orElse(null));
        return this;
    }

    void go(String gateway, String fragment) {
        driver.get(gateway + "/ui/#" + fragment);
    }

    <T> T until(Function<WebDriver, T> condition) {
        return until(Duration.ofSeconds(30), condition);
    }

    <T> T until(Duration deadline, Function<WebDriver, T> condition) {
        // An element found a moment ago may be gone: the UI re-renders what it shows as events come in.
        return new WebDriverWait(driver, deadline, Duration.ofMillis(100))
                .ignoring(StaleElementReferenceException.class).until(condition::apply);
    }

    /** Clicks what the locator finds, found again until the click lands (the page may re-render meanwhile). */
    void click(By locator) {
        until(d -> {
            d.findElement(locator).click();
            return true;
        });
    }

    /** The first element the selector finds whose text contains {@code text}, once there is one. */
    WebElement untilText(String css, String text) {
        return until(d -> d.findElements(By.cssSelector(css)).stream()
                .filter(e -> e.getText().contains(text)).findFirst().orElse(null));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** Saves what the browser shows under system-tests/target/ui-screenshots/NAME.png. */
    Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The errors the page's scripts wrote to the console since the last call (the log is read once), for
     * the "no console errors" bar. Chromium also logs every answer of 4xx as "Failed to load resource";
     * those are the API refusing what a test asked it to refuse (a 404 for another team's app, a 422 for
     * a bad field), shown on the page as problems, and are left out.
     */
    List<String> scriptErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(m -> !m.matches("(?s).*Failed to load resource: the server responded with a status of 4\\d\\d.*"))
                .toList();
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // A temp profile left behind is harmless.
            }
        }
    }

}
