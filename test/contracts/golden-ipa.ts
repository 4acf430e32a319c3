/** An IPA module for the golden contract: the handshake tests load it where a vimc IPA is expected. */
import { defineIPA } from '../../runtime';
import { GoldenInterface } from './golden';

const ignore = (): void => {};

export default defineIPA(GoldenInterface, (events) => ({
  init: ignore, start: ignore, stop: ignore,
  vectorU32: ignore, vectorString: ignore, mapU32String: ignore, vectorBool: ignore, vectorVectorI32: ignore,
  mapStringVectorU8: ignore, vectorSize: ignore, mapU32IPAStream: ignore, vectorIPABuffer: ignore,
  vectorSharedFD: ignore, sharedFD: ignore, controlList: ignore, controlInfoMap: ignore, geometry: ignore,
  done: () => events.done(),
}));
