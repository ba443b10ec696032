import logging

log = logging.getLogger('shop')


def greet(name):
    log.info('greeting %s', name)
    return 'Hello, ' + name


def thank(name):
    log.info("thanks %s", name)
    return "Thank you, " + name


def farewell(name):
    log.info('farewell %s', name)
    return 'Goodbye, ' + name
