/** What a camera says when it is driven out of order or its hardware or IPA refuses. */
export class CameraError extends Error {
  override name = 'CameraError';
}
