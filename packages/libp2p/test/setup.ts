import { installPromiseWithResolvers } from '../src/polyfill'

installPromiseWithResolvers()
