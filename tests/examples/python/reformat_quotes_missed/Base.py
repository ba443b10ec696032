import logging

log = logging.getLogger('shop')


def greet(name):
    log.info('greeting %s', name)
    return 'Hello, ' + name


def farewell(name):
    log.info('farewell %s', name)
    return 'Goodbye, ' + name
