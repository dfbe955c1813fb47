package io.strata.server.reports;

import java.util.List;

/**
 * What a run sends on every channel: a subject, a text, the files that go with it (an image, a
 * PDF, a CSV), and a link back to Strata.
 */
record Message(String subject, String text, List<Attachment> attachments, String link) {
  /**
   * A file; {@code url}, when set, is a signed link to the same bytes that the recipient fetches
   * without a session (webhooks carry it instead of the file).
   */
  record Attachment(String name, String mimeType, byte[] bytes, String url) {
    Attachment(String name, String mimeType, byte[] bytes) {
      this(name, mimeType, bytes, null);
    }

    Attachment withUrl(String u) {
      return new Attachment(name, mimeType, bytes, u);
    }
  }

  Message withAttachments(List<Attachment> files) {
    return new Message(subject, text, files, link);
  }

  Message {
    attachments = attachments == null ? List.of() : List.copyOf(attachments);
  }
}
