export * from './constants';
export * from './types';
export { DeviceError, onDevice, openDeviceNode } from './device-node';
export { MediaDevice } from './media-device';
export { V4L2Subdevice } from './subdevice';
export { V4L2VideoDevice } from './video-device';
