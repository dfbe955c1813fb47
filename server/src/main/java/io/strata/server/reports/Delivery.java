package io.strata.server.reports;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.server.api.BadRequestException;
import jakarta.activation.DataHandler;
import jakarta.mail.Authenticator;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a {@link Message} on its channels: email over SMTP (Jakarta Mail, with STARTTLS or
 * implicit TLS and authentication as configured) and webhooks (a JSON body that Slack's and
 * Teams' incoming webhooks both accept: {@code text}, plus Slack {@code blocks}). A failing
 * channel is tried {@code strata.reports.delivery-attempts} times with doubling back-off; every
 * channel's outcome (attempts, error) goes into the run's record, never dropped.
 */
final class Delivery {
  private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);
  private final ReportsSettings settings;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();

  Delivery(ReportsSettings settings) {
    this.settings = settings;
  }

  /** Sends on every channel; the outcome of each, as the run records it. */
  ArrayNode send(Message m, List<Channel> channels) {
    ArrayNode out = ReportSpec.JSON.createArrayNode();
    for (Channel c : channels) {
      ObjectNode d = out.addObject().put("channel", c.type()).put("to", c.label());
      Duration wait = settings.retryBackoff();
      String error = null;
      int attempt = 0;
      while (attempt < settings.deliveryAttempts()) {
        attempt++;
        try {
          if (c.email()) {
            email(m, c.to());
          } else {
            webhook(m, c.url());
          }
          error = null;
          break;
        } catch (IOException | MessagingException | RuntimeException e) {
          error = describe(e);
          LOG.warn("{} attempt {} failed: {}", c.label(), attempt, error);
          if (attempt < settings.deliveryAttempts()) {
            try {
              Thread.sleep(wait.toMillis());
            } catch (InterruptedException ie) {
              Thread.currentThread().interrupt();
              break;
            }
            wait = wait.multipliedBy(2);
          }
        }
      }
      d.put("attempts", attempt).put("ok", error == null);
      if (error != null) {
        d.put("error", error);
      }
    }
    return out;
  }

  private static String describe(Exception e) {
    Throwable t = e;
    StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()));
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      b.append(": ").append(t.getMessage());
    }
    return b.toString();
  }

  // ---------------------------------------------------------------- email

  private Session session() {
    Properties p = new Properties();
    String proto = settings.smtpTls().equals("tls") ? "smtps" : "smtp";
    p.put("mail.transport.protocol", proto);
    p.put("mail." + proto + ".host", settings.smtpHost());
    p.put("mail." + proto + ".port", String.valueOf(settings.smtpPort()));
    String ms = String.valueOf(settings.smtpTimeout().toMillis());
    p.put("mail." + proto + ".connectiontimeout", ms);
    p.put("mail." + proto + ".timeout", ms);
    p.put("mail." + proto + ".writetimeout", ms);
    if (settings.smtpTls().equals("starttls")) {
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", "true");
    }
    if (!settings.smtpTls().equals("none")) {
      p.put("mail." + proto + ".ssl.checkserveridentity", "true");
    }
    boolean auth = !settings.smtpUser().isEmpty();
    p.put("mail." + proto + ".auth", String.valueOf(auth));
    return Session.getInstance(p, auth ? new Authenticator() {
      @Override
      protected PasswordAuthentication getPasswordAuthentication() {
        return new PasswordAuthentication(settings.smtpUser(), settings.smtpPassword());
      }
    } : null);
  }

  /**
   * Checks that the SMTP server is configured and answers (connect, TLS, auth), so a report
   * with an email channel is refused when saved rather than failing on every run.
   *
   * @throws BadRequestException SMTP_NOT_CONFIGURED or SMTP_UNREACHABLE, at {@code location}
   */
  void checkSmtp(String location) {
    if (settings.smtpHost().isEmpty()) {
      throw new BadRequestException("SMTP_NOT_CONFIGURED", location, "email channels need an"
          + " SMTP server: set strata.smtp.host (STRATA_SMTP_HOST) and its port, TLS and user");
    }
    try (Transport t = session().getTransport()) {
      t.connect();
    } catch (MessagingException e) {
      throw new BadRequestException("SMTP_UNREACHABLE", location, "the SMTP server "
          + settings.smtpHost() + ":" + settings.smtpPort() + " (strata.smtp.*) cannot be"
          + " reached or refused the login: " + describe(e));
    }
  }

  private void email(Message m, List<String> to) throws MessagingException {
    if (settings.smtpHost().isEmpty()) {
      throw new MessagingException("no SMTP server is configured (strata.smtp.host)");
    }
    Session s = session();
    MimeMessage mail = new MimeMessage(s);
    mail.setFrom(new InternetAddress(settings.smtpFrom()));
    for (String a : to) {
      mail.addRecipient(jakarta.mail.Message.RecipientType.TO, new InternetAddress(a));
    }
    mail.setSubject(m.subject(), "UTF-8");
    MimeMultipart body = new MimeMultipart();
    MimeBodyPart text = new MimeBodyPart();
    text.setText(m.text() + (m.link() == null ? "" : "\n\n" + m.link()), "UTF-8");
    body.addBodyPart(text);
    for (Message.Attachment a : m.attachments()) {
      MimeBodyPart part = new MimeBodyPart();
      part.setDataHandler(new DataHandler(new ByteArrayDataSource(a.bytes(), a.mimeType())));
      part.setFileName(a.name());
      body.addBodyPart(part);
    }
    mail.setContent(body);
    try (Transport t = s.getTransport()) {
      t.connect();
      t.sendMessage(mail, mail.getAllRecipients());
    }
  }

  // ---------------------------------------------------------------- webhooks

  /**
   * The JSON body: {@code text} (Slack, Teams), Slack blocks, and the link. A file with a signed
   * link ({@link Message.Attachment#url}, fetched without a session) is linked in the text, and
   * an image is also a Slack {@code image} block, which Slack fetches and shows in the message.
   */
  static ObjectNode webhookBody(Message m) {
    ObjectNode o = ReportSpec.JSON.createObjectNode();
    StringBuilder files = new StringBuilder();
    StringBuilder slackFiles = new StringBuilder();
    for (Message.Attachment a : m.attachments()) {
      if (a.url() != null) {
        files.append("\n").append(a.name()).append(": ").append(a.url());
        slackFiles.append("\n<").append(a.url()).append("|").append(a.name()).append(">");
      }
    }
    // text: read by Slack and Teams alike (both turn a bare URL into a link); blocks: Slack's
    // richer form of the same, with its own link syntax
    o.put("text", m.subject() + "\n" + m.text() + files
        + (m.link() == null ? "" : "\nOpen in Strata: " + m.link()));
    ArrayNode blocks = o.putArray("blocks");
    blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn")
        .put("text", "*" + m.subject() + "*\n" + m.text() + slackFiles
            + (m.link() == null ? "" : "\n<" + m.link() + "|Open in Strata>"));
    for (Message.Attachment a : m.attachments()) {
      if (a.url() != null && a.mimeType().startsWith("image/")) {
        ObjectNode image = blocks.addObject().put("type", "image").put("image_url", a.url())
            .put("alt_text", a.name());
        image.putObject("title").put("type", "plain_text").put("text", a.name());
      }
    }
    if (!m.attachments().isEmpty()) {
      ArrayNode list = o.putArray("attachments");
      for (Message.Attachment a : m.attachments()) {
        ObjectNode f = list.addObject().put("fallback", a.name()).put("title", a.name())
            .put("title_link", a.url() != null ? a.url() : m.link() == null ? "" : m.link());
        if (a.url() != null && a.mimeType().startsWith("image/")) {
          f.put("image_url", a.url());
        }
      }
    }
    return o;
  }

  private void webhook(Message m, String url) throws IOException {
    HttpRequest r = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(webhookBody(m).toString()))
        .build();
    HttpResponse<String> answer;
    try {
      answer = http.send(r, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (answer.statusCode() / 100 != 2) {
      String body = answer.body() == null ? "" : answer.body();
      throw new IOException("the webhook answered HTTP " + answer.statusCode()
          + (body.isBlank() ? "" : ": " + (body.length() > 200 ? body.substring(0, 200) : body)));
    }
  }
}
