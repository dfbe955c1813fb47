package io.strata.server.reports;

import java.util.List;

/**
 * What a run sends on every channel: a subject, a text, the files that go with it (an image, a
 * PDF, a CSV), and a link back to Strata.
 */
record Message(String subject, String text, List<Attachment> attachments, String link) {
  record Attachment(String name, String mimeType, byte[] bytes) {}

  Message {
    attachments = attachments == null ? List.of() : List.copyOf(attachments);
  }
}
